const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');

const sqs = new SQSClient({});

exports.handler = async (event) => {
  const body = JSON.parse(event.body || '{}');
  if (!body.name) {
    return { statusCode: 400, body: JSON.stringify({ message: 'name is required' }) };
  }
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: process.env.ORDERS_QUEUE_URL,
      MessageBody: JSON.stringify({ name: body.name, quantity: Number(body.quantity) || 1 }),
    }),
  );
  return { statusCode: 202, body: JSON.stringify({ queued: true }) };
};
