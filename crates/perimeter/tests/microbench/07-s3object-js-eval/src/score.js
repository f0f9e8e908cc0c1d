const { S3Client, GetObjectCommand } = require('@aws-sdk/client-s3');
const vm = require('vm');

const s3 = new S3Client({});

exports.handler = async (event) => {
  const { bucket, object } = event.Records[0].s3;
  const res = await s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: object.key }));
  const doc = JSON.parse(await res.Body.transformToString());
  return vm.runInNewContext('weight * 2', { weight: doc.weight });
};
