const fs = require('fs');
const path = require('path');

exports.handler = async (event) => {
  const name = path.basename(event.pathParameters.name);
  const data = fs.readFileSync(path.join(__dirname, 'assets', name));
  return { statusCode: 200, isBase64Encoded: true, body: data.toString('base64') };
};
