const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const crypto = require('crypto');

const s3 = new S3Client({});

exports.handler = async (event) => {
  const id = crypto.randomUUID();
  await s3.send(new PutObjectCommand({
    Bucket: process.env.RULES_BUCKET,
    Key: `rules/${id}.js`,
    Body: event.body,
  }));
  return { statusCode: 201, body: JSON.stringify({ id }) };
};
