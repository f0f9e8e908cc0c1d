const notify = (text) => console.log('reminder', text);

exports.handler = async (event) => {
  const { text, delay } = JSON.parse(event.body);
  setTimeout(() => notify(text), Number(delay));
  return { statusCode: 202 };
};
