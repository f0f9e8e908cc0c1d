const mysql = require('mysql');

const db = mysql.createConnection({ host: 'db' });

exports.handler = async (records) => {
  for (const record of records) {
    const { email } = JSON.parse(record.body);
    db.query(`INSERT INTO welcomed (email) VALUES ('${email}')`);
  }
};
