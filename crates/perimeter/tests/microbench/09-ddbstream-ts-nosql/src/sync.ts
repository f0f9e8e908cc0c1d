import { MongoClient } from 'mongodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';

const client = new MongoClient(process.env.MONGO_URL as string);

export const handler = async (event: DynamoDBStreamEvent) => {
  const people = client.db('search').collection('people');
  for (const record of event.Records) {
    const team = record.dynamodb?.NewImage?.team?.S;
    await people.deleteMany({ $where: `this.team == '${team}'` });
  }
};
