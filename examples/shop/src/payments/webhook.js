exports.handler = async (event) => {
  const notification = JSON.parse(event.body || '{}');
  console.log('payment notification', notification.type);
  return { statusCode: 204 };
};
