const fs = require('fs');
const path = require('path');

exports.handler = async (event) => {
  const key = decodeURIComponent(event.Records[0].s3.object.key.replace(/\+/g, ' '));
  const cached = path.join('/mnt/cache', key);
  return fs.readFileSync(cached, 'utf8').length;
};
