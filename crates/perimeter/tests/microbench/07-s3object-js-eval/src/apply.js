const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');

const s3 = new S3Client({});

exports.handler = async (event) => {
  const { bucket, object } = event.Records[0].s3;
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: object.key }));
  const source = await res.Body.transformToString();
  const rule = eval(source);
  return { applied: typeof rule };
};
