const { KinesisClient, PutRecordCommand } = require('@aws-sdk/client-kinesis');

const kinesis = new KinesisClient({});

exports.handler = async (event) => {
  const click = JSON.parse(event.body);
  await kinesis.send(new PutRecordCommand({
    StreamName: process.env.STREAM_NAME,
    PartitionKey: 'clicks',
    Data: Buffer.from(JSON.stringify({ item: click.item, referrer: click.referrer })),
  }));
  return { statusCode: 204 };
};
