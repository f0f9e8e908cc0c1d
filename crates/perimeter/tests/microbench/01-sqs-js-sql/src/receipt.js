const mysql = require('mysql2');

const pool = mysql.createPool({ host: process.env.DB_HOST, user: 'shop' });

exports.handler = async (event) => {
  for (const record of event.Records) {
    const order = JSON.parse(record.body);
    pool.query('INSERT INTO receipts (sku, quantity) VALUES (?, ?)', [order.sku, order.quantity]);
  }
};
