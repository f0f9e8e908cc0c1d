const { exec } = require('child_process');

exports.handler = async (event) => {
  const key = event.Records[0].s3.object.key;
  exec(`libreoffice --headless --convert-to pdf "/tmp/${key}"`);
};
