exports.handler = async (event) => {
  const currency = event.queryStringParameters?.currency;
  const res = await fetch('https://rates.example.com/v1/' + encodeURIComponent(currency));
  return { statusCode: 200, body: await res.text() };
};
