const { execSync } = require('child_process');
const fs = require('fs');
const AWS = require('aws-sdk');

const s3 = new AWS.S3();

exports.handler = async (event) => {
  const key = event.Records[0].s3.object.key;
  const original = await s3.getObject({ Bucket: process.env.UPLOAD_BUCKET, Key: key }).promise();
  fs.writeFileSync('/tmp/original', original.Body);
  execSync('convert /tmp/original -resize 200x200 /tmp/' + key + '.png');
  await s3
    .putObject({
      Bucket: process.env.UPLOAD_BUCKET,
      Key: 'uploads/thumb-' + key,
      Body: fs.readFileSync('/tmp/' + key + '.png'),
    })
    .promise();
};
