const { execFileSync } = require('child_process');

exports.handler = async (event) => {
  for (const { body } of event.Records) {
    execFileSync('git', ['clone', '--depth', '1', body, '/tmp/checkout']);
  }
};
