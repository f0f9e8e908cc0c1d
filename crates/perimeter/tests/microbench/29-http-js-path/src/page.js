const fs = require('fs');

exports.handler = async (event) => {
  const name = event.pathParameters.name;
  const html = fs.readFileSync(`${__dirname}/pages/${name}.html`, 'utf8');
  return { statusCode: 200, headers: { 'content-type': 'text/plain' }, body: html };
};
