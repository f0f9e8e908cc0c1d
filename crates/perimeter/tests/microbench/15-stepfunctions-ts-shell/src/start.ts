import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

const sfn = new SFNClient({});

export async function handler(event: APIGatewayProxyEventV2) {
  const request = JSON.parse(event.body || '{}');
  await sfn.send(new StartExecutionCommand({
    stateMachineArn: process.env.MACHINE_ARN,
    input: JSON.stringify({ video: request.video, format: request.format }),
  }));
  return { statusCode: 202 };
}
