const mysql = require('mysql');

const connection = mysql.createConnection({
  host: process.env.DB_HOST,
  user: process.env.DB_USER,
  password: process.env.DB_PASSWORD,
  database: 'shop',
});

exports.handler = async (event) => {
  const id = event.pathParameters.id;
  const rows = await new Promise((resolve, reject) => {
    connection.query('SELECT * FROM products WHERE id = ?', [id], (err, results) =>
      err ? reject(err) : resolve(results),
    );
  });
  if (rows.length === 0) {
    return { statusCode: 404, body: JSON.stringify({ message: 'Product not found' }) };
  }
  return { statusCode: 200, body: JSON.stringify(rows[0]) };
};
