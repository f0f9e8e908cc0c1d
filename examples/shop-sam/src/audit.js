const mysql = require('mysql');

const pool = mysql.createPool({
  host: process.env.DB_HOST,
  user: process.env.DB_USER,
  database: 'audit',
  connectionLimit: 2,
});

exports.handler = async (event) => {
  for (const record of event.Records) {
    await new Promise((resolve, reject) => {
      pool.query('INSERT INTO audit (message_id, body) VALUES (?, ?)', [record.messageId, record.body], (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }
  return { audited: event.Records.length };
};
