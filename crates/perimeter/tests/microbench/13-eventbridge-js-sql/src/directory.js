const { Client } = require('pg');

const db = new Client();
const ready = db.connect();

exports.handler = async (event) => {
  await ready;
  const { userId, displayName } = event.detail;
  await db.query(`UPDATE directory SET name = '${displayName}' WHERE user_id = ${Number(userId)}`);
};
