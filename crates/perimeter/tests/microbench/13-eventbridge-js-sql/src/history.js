const { Client } = require('pg');

const db = new Client();
const ready = db.connect();

exports.handler = async (event) => {
  await ready;
  const { userId, displayName } = event.detail;
  await db.query('INSERT INTO name_history (user_id, name) VALUES ($1, $2)', [userId, displayName]);
};
