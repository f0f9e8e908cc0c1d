const { MongoClient } = require('mongodb');

const client = new MongoClient(process.env.MONGO_URL);

exports.handler = async (event) => {
  const log = client.db('app').collection('audit');
  for (const record of event.Records) {
    const { match } = JSON.parse(record.body);
    await log.insertOne({ kind: 'cleanup', match: JSON.stringify(match), at: new Date() });
  }
};
