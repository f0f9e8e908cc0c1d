const mysql = require('mysql');

const db = mysql.createConnection({ host: process.env.DB_HOST });

exports.handler = async (event) => {
  for (const record of event.Records) {
    db.query('INSERT INTO audit (line) VALUES (?)', [record.body]);
  }
};
