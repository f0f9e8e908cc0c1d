const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');

const s3 = new S3Client({});

exports.handler = async (event) => {
  const name = event.queryStringParameters.name;
  await s3.send(new PutObjectCommand({ Bucket: process.env.BUCKET, Key: `docs/${name}`, Body: event.body }));
  return { statusCode: 201 };
};
