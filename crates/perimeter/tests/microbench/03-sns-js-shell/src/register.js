const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');

const sns = new SNSClient({});

exports.handler = async (event) => {
  const { host } = JSON.parse(event.body);
  await sns.send(new PublishCommand({
    TopicArn: process.env.PROBE_TOPIC,
    Message: JSON.stringify({ host }),
  }));
  return { statusCode: 201 };
};
