import { MongoClient } from 'mongodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';

const client = new MongoClient(process.env.MONGO_URL as string);

export const handler = async (event: DynamoDBStreamEvent) => {
  const teams = client.db('search').collection('teams');
  for (const record of event.Records) {
    const team = record.dynamodb?.NewImage?.team?.S;
    await teams.updateOne({ name: String(team) }, { $inc: { members: 1 } }, { upsert: true });
  }
};
