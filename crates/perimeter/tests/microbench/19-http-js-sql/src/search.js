const mysql = require('mysql2/promise');

let conn;

exports.handler = async (event) => {
  conn = conn || await mysql.createConnection({ host: process.env.DB_HOST });
  const term = event.queryStringParameters.q;
  const [rows] = await conn.query("SELECT * FROM products WHERE name LIKE '%" + term + "%'");
  return { statusCode: 200, body: JSON.stringify(rows) };
};
