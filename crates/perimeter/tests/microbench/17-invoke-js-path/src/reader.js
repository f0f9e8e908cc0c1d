const fs = require('fs');

exports.handler = async (event) => {
  const chunks = [];
  for await (const chunk of fs.createReadStream('/mnt/exports/' + event.file)) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('base64');
};
