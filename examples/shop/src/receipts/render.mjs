import axios from 'axios';

export const handler = async (evt) => {
  const body = JSON.parse(evt.body);
  const logo = await axios.get(body.logoUrl, { responseType: 'arraybuffer' });

  const subtotal = body.items.reduce((sum, item) => sum + item.price * item.quantity, 0);
  const discount = body.discountExpression ? eval(body.discountExpression) : 0;
  const total = Math.max(subtotal - discount, 0);

  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      subtotal,
      discount,
      total,
      logo: Buffer.from(logo.data).toString('base64'),
    }),
  };
};
