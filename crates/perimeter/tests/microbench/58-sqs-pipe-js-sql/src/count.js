const mysql = require('mysql');

const db = mysql.createConnection({ host: 'db' });

exports.handler = async (records) => {
  db.query('UPDATE stats SET signups = signups + ?', [records.length]);
};
