const { MongoClient } = require('mongodb');

const client = new MongoClient(process.env.MONGO_URL);

exports.handler = async (event) => {
  const sessions = client.db('app').collection('sessions');
  for (const record of event.Records) {
    const { match } = JSON.parse(record.body);
    await sessions.deleteMany(match);
  }
};
