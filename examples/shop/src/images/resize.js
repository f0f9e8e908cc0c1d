const { execSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const AWS = require('aws-sdk');

const s3 = new AWS.S3();
const sqs = new AWS.SQS();

exports.handler = async (event) => {
  const key = event.Records[0].s3.object.key;
  const original = await s3.getObject({ Bucket: process.env.UPLOAD_BUCKET, Key: key }).promise();
  fs.mkdirSync(path.dirname('/tmp/' + key), { recursive: true });
  fs.writeFileSync('/tmp/' + key, original.Body);

  execSync('convert /tmp/' + key + ' -resize 200x200 /tmp/out.png');

  await s3
    .putObject({
      Bucket: process.env.UPLOAD_BUCKET,
      Key: 'uploads/thumb-' + key,
      Body: fs.readFileSync('/tmp/out.png'),
      ContentType: 'image/png',
    })
    .promise();

  await sqs
    .sendMessage({ QueueUrl: process.env.ARCHIVE_QUEUE_URL, MessageBody: JSON.stringify({ key }) })
    .promise();
  return { resized: key };
};
