exports.handler = async (event) => {
  const notification = JSON.parse(event.body || '{}');
  if (notification.type === 'charge.succeeded') {
    console.log('charge succeeded', notification.data && notification.data.object.id);
  } else {
    console.log('ignored payment event', notification.type);
  }
  return { statusCode: 200, body: JSON.stringify({ received: true }) };
};
