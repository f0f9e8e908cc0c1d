const https = require('https');

function get(url) {
  return new Promise((resolve, reject) => {
    https.get(url, (res) => resolve(res.statusCode)).on('error', reject);
  });
}

const check = (site) => get(site.endsWith('/') ? site + 'health' : site + '/health');

exports.handler = async (event) => {
  const body = JSON.parse(event.body);
  const status = await check(body.site);
  return { statusCode: 200, body: String(status) };
};

exports.status = async () => {
  const status = await get('https://status.example.com/health');
  return { statusCode: 200, body: String(status) };
};
