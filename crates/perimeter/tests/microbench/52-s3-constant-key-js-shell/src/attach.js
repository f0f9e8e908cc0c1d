const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');

const s3 = new S3Client({});

exports.handler = async (event) => {
  const { name, data } = JSON.parse(event.body);
  await s3.send(new PutObjectCommand({ Bucket: process.env.UPLOADS, Key: name, Body: Buffer.from(data, 'base64') }));
  return { statusCode: 201 };
};
