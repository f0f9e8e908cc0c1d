import type { SQSEvent } from 'aws-lambda';
import { saveEvent } from '../shared/repository';

export const handler = async (event: SQSEvent) => {
  for (const record of event.Records) {
    const { kind, at } = JSON.parse(record.body);
    await saveEvent(kind, at);
  }
};
