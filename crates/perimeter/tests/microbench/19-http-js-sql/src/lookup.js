const mysql = require('mysql2/promise');

let conn;

exports.handler = async (event) => {
  conn = conn || await mysql.createConnection({ host: process.env.DB_HOST });
  const [rows] = await conn.execute('SELECT * FROM products WHERE id = ?', [event.pathParameters.id]);
  return { statusCode: 200, body: JSON.stringify(rows[0]) };
};
