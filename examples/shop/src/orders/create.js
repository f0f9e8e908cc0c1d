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
      MessageBody: JSON.stringify({ name: body.name }),
    }),
  );

  const customer = event.requestContext.authorizer.claims.sub;
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: process.env.AUDIT_QUEUE_URL,
      MessageBody: JSON.stringify({ action: 'order.created', customer, item: body.name }),
    }),
  );

  return { statusCode: 202, body: JSON.stringify({ accepted: true }) };
};
