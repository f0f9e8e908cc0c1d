const { SQSClient, SendMessageCommand } = require('@aws-sdk/client-sqs');

const client = new SQSClient({});

exports.handler = async (event) => {
  const input = JSON.parse(event.body || '{}');
  const message = { sku: input.sku, quantity: input.quantity };
  await client.send(new SendMessageCommand({
    QueueUrl: process.env.ORDERS_QUEUE,
    MessageBody: JSON.stringify(message),
  }));
  await client.send(new SendMessageCommand({
    QueueUrl: process.env.RECEIPTS_QUEUE,
    MessageBody: JSON.stringify(message),
  }));
  return { statusCode: 202, body: '' };
};
