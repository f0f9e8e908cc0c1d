const { connection } = require('./db');

exports.handler = async (event) => {
  const term = (event.queryStringParameters || {}).q || '';
  const sql = "SELECT id, name, price FROM products WHERE name LIKE '%" + term + "%'";
  const rows = await new Promise((resolve, reject) => {
    connection.query(sql, (err, result) => (err ? reject(err) : resolve(result)));
  });
  return { statusCode: 200, body: JSON.stringify(rows) };
};
