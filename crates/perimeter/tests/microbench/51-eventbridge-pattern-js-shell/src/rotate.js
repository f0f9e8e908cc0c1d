const { execSync } = require('child_process');

exports.handler = async (event) => {
  return execSync('logrotate --force ' + event.detail.file).toString();
};
