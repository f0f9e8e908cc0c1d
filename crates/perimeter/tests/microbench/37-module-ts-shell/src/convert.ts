import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { convert } from './lib/media';

export const handler = async (event: APIGatewayProxyEventV2) => {
  const { input, format } = JSON.parse(event.body ?? '{}');
  const out = convert(input, format);
  return { statusCode: 200, body: out.toString('base64'), isBase64Encoded: true };
};
