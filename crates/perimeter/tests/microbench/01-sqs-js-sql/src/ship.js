const mysql = require('mysql2');

const pool = mysql.createPool({ host: process.env.DB_HOST, user: 'shop' });

exports.handler = async (event) => {
  for (const record of event.Records) {
    const order = JSON.parse(record.body);
    pool.query(`UPDATE stock SET count = count - 1 WHERE sku = '${order.sku}'`);
  }
};
