const axios = require('axios');

exports.handler = async (event) => {
  for (const record of event.Records) {
    const click = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
    const page = await axios.get(click.referrer);
    console.log(page.status);
  }
};
