const https = require('https');

const STRIPE_SECRET_KEY = 'sk_live_E4bc9nCvzNvjXeWZiCrxeOj7';

function post(path, form) {
  const payload = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: 'api.stripe.com',
        path,
        method: 'POST',
        headers: {
          Authorization: 'Bearer ' + STRIPE_SECRET_KEY,
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(payload),
        },
      },
      (res) => {
        let data = '';
        res.on('data', (chunk) => (data += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(data) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

exports.handler = async (event) => {
  const { amount, source } = JSON.parse(event.body || '{}');
  const cents = Math.round(Number(amount) * 100);
  if (!Number.isFinite(cents) || cents <= 0) {
    return { statusCode: 400, body: JSON.stringify({ message: 'invalid amount' }) };
  }
  const charge = await post('/v1/charges', { amount: String(cents), currency: 'eur', source });
  return {
    statusCode: charge.status === 200 ? 201 : 402,
    body: JSON.stringify({ id: charge.body.id, status: charge.body.status }),
  };
};
