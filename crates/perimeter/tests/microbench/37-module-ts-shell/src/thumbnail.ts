import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { thumbnail } from './lib/media';

export const handler = async (event: APIGatewayProxyEventV2) => {
  const { input, size } = JSON.parse(event.body ?? '{}');
  const out = thumbnail(input, Number(size));
  return { statusCode: 200, body: out.toString('base64'), isBase64Encoded: true };
};
