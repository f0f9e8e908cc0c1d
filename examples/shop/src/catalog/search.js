const mysql = require('mysql');

const connection = mysql.createConnection({
  host: process.env.DB_HOST,
  user: process.env.DB_USER,
  password: process.env.DB_PASSWORD,
  database: 'shop',
});

exports.handler = async (event) => {
  const q = event.queryStringParameters.q;
  const sql = "SELECT id, name, price FROM products WHERE name LIKE '%" + q + "%' LIMIT 20";
  const rows = await new Promise((resolve, reject) => {
    connection.query(sql, (err, results) => (err ? reject(err) : resolve(results)));
  });
  return {
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: q, results: rows }),
  };
};
