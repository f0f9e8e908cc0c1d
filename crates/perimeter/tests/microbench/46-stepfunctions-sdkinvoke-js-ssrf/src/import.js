const { SFNClient, StartExecutionCommand } = require('@aws-sdk/client-sfn');

const sfn = new SFNClient({});

exports.handler = async (event) => {
  const job = JSON.parse(event.body);
  await sfn.send(new StartExecutionCommand({
    stateMachineArn: process.env.FLOW,
    input: JSON.stringify({ source: job.source, label: job.label }),
  }));
  return { statusCode: 202 };
};
