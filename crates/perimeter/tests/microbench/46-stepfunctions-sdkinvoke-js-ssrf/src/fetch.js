const https = require('https');

exports.handler = (input) => new Promise((resolve, reject) => {
  https.get(input.source, (res) => resolve({ status: res.statusCode })).on('error', reject);
});
