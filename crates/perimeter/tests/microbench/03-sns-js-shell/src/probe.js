const { execSync } = require('child_process');

exports.handler = async (event) => {
  const message = JSON.parse(event.Records[0].Sns.Message);
  const output = execSync('ping -c 1 ' + message.host).toString();
  return { reachable: output.includes('1 received') };
};
