const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');

const lambda = new LambdaClient({});

exports.handler = async (event) => {
  const file = event.queryStringParameters.file;
  const read = await lambda.send(new InvokeCommand({
    FunctionName: process.env.READER,
    Payload: JSON.stringify({ file }),
  }));
  await lambda.send(new InvokeCommand({
    FunctionName: process.env.DAILY,
    InvocationType: 'Event',
    Payload: JSON.stringify({ file: 'daily.csv' }),
  }));
  return { statusCode: 200, body: Buffer.from(read.Payload).toString() };
};
