import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

const sqs = new SQSClient({});

type Incoming = { kind: string; at: string };

export const handler = async (event: APIGatewayProxyEventV2) => {
  const items: Incoming[] = JSON.parse(event.body ?? '[]');
  const entries = items.map((item, i) => ({ Id: String(i), MessageBody: JSON.stringify(item) }));
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: process.env.EVENTS_QUEUE, Entries: entries }));
  await sqs.send(new SendMessageBatchCommand({ QueueUrl: process.env.METRICS_QUEUE, Entries: entries }));
  return { statusCode: 202 };
};
