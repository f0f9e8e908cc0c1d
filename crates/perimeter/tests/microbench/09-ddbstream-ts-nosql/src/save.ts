import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';

const doc = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = async (event: APIGatewayProxyEventV2) => {
  const profile = JSON.parse(event.body ?? '{}') as { id: string; team: string };
  await doc.send(new PutCommand({
    TableName: process.env.PROFILES_TABLE,
    Item: { id: profile.id, team: profile.team },
  }));
  return { statusCode: 200 };
};
