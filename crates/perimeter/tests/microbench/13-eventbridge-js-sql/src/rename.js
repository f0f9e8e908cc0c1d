const { EventBridgeClient, PutEventsCommand } = require('@aws-sdk/client-eventbridge');

const events = new EventBridgeClient({});

exports.handler = async (event) => {
  const { displayName } = JSON.parse(event.body);
  const userId = event.pathParameters.id;
  await events.send(new PutEventsCommand({
    Entries: [{
      EventBusName: process.env.BUS_NAME,
      Source: 'app.users',
      DetailType: 'UserRenamed',
      Detail: JSON.stringify({ userId, displayName }),
    }],
  }));
  return { statusCode: 204 };
};
