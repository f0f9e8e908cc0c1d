const { execSync } = require('child_process');

exports.handler = async (event) => {
  return execSync('clamscan --no-summary /tmp/' + event.detail.file).toString();
};
