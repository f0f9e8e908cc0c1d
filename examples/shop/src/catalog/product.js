const { connection } = require('./db');

exports.handler = async (event) => {
  const id = event.pathParameters.id;
  const rows = await new Promise((resolve, reject) => {
    connection.query('SELECT * FROM products WHERE id = ?', [id], (err, result) =>
      err ? reject(err) : resolve(result),
    );
  });
  if (rows.length === 0) {
    return { statusCode: 404, body: JSON.stringify({ message: 'not found' }) };
  }
  return { statusCode: 200, body: JSON.stringify(rows[0]) };
};
