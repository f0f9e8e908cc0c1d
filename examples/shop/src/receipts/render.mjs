import axios from 'axios';

export const handler = async (evt) => {
  const body = JSON.parse(evt.body);
  const logo = await axios.get(body.logoUrl, { responseType: 'arraybuffer' });
  const discount = eval(body.discountExpression);
  const total = body.items.reduce((sum, item) => sum + item.price * item.quantity, 0) - discount;
  return {
    statusCode: 200,
    body: JSON.stringify({ total, logoBytes: logo.data.length }),
  };
};
