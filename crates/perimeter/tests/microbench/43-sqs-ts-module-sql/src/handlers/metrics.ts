import type { SQSEvent } from 'aws-lambda';
import { countKind } from '../shared/repository';

export const handler = async (event: SQSEvent) => {
  for (const record of event.Records) {
    const { kind } = JSON.parse(record.body);
    await countKind(kind);
  }
};
