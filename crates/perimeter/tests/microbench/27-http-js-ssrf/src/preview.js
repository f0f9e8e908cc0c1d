exports.handler = async (event) => {
  const target = event.queryStringParameters?.url;
  const page = await fetch(target, { redirect: 'follow' });
  const html = await page.text();
  const title = /<title>(.*?)<\/title>/.exec(html);
  return { statusCode: 200, body: JSON.stringify({ title: title && title[1] }) };
};
