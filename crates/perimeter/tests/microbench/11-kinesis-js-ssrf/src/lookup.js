const axios = require('axios');

exports.handler = async (event) => {
  for (const record of event.Records) {
    const click = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
    const item = await axios.get('https://catalog.example.com/items/' + encodeURIComponent(click.item));
    console.log(item.status);
  }
};
