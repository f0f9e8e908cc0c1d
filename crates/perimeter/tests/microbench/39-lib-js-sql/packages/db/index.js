const mysql = require('mysql');

const pool = mysql.createPool({ host: process.env.DB_HOST, user: 'orders' });

function findByStatus(status) {
  return new Promise((resolve, reject) => {
    pool.query("SELECT * FROM orders WHERE status = '" + status + "'", (err, rows) => (err ? reject(err) : resolve(rows)));
  });
}

function findById(id) {
  return new Promise((resolve, reject) => {
    pool.query('SELECT * FROM orders WHERE id = ?', [id], (err, rows) => (err ? reject(err) : resolve(rows)));
  });
}

module.exports = { findByStatus, findById };
