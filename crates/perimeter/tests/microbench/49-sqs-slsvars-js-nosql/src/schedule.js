const AWS = require('aws-sdk');

const sqs = new AWS.SQS();

exports.handler = async (event) => {
  const request = JSON.parse(event.body);
  const message = { MessageBody: JSON.stringify({ match: request.match }) };
  await sqs.sendMessage({ ...message, QueueUrl: process.env.JOBS_URL }).promise();
  await sqs.sendMessage({ ...message, QueueUrl: process.env.AUDIT_URL }).promise();
  return { statusCode: 202 };
};
