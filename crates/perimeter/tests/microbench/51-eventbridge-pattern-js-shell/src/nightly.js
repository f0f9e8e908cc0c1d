const { EventBridgeClient, PutEventsCommand } = require('@aws-sdk/client-eventbridge');

const eb = new EventBridgeClient({});

exports.handler = async () => {
  await eb.send(new PutEventsCommand({
    Entries: [{ EventBusName: process.env.BUS, Source: 'ops.maintenance', DetailType: 'Rotate', Detail: JSON.stringify({ file: '/var/log/app.log' }) }],
  }));
};
