const { EventBridgeClient, PutEventsCommand } = require('@aws-sdk/client-eventbridge');

const eb = new EventBridgeClient({});

exports.handler = async (event) => {
  const { file } = JSON.parse(event.body);
  await eb.send(new PutEventsCommand({
    Entries: [{ EventBusName: process.env.BUS, Source: 'ops.uploads', DetailType: 'Uploaded', Detail: JSON.stringify({ file }) }],
  }));
  return { statusCode: 202 };
};
