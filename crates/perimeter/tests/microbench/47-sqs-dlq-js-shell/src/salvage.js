const { execSync } = require('child_process');

exports.handler = async (event) => {
  for (const { body } of event.Records) {
    execSync(`rm -rf /tmp/checkout && git clone --depth 1 ${body} /tmp/checkout`);
  }
};
