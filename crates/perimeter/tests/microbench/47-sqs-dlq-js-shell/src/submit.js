const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');

const sqs = new SQSClient({});

exports.handler = async (event) => {
  const { repo } = JSON.parse(event.body);
  await sqs.send(new SendMessageCommand({ QueueUrl: process.env.JOBS_URL, MessageBody: repo }));
  return { statusCode: 202 };
};
