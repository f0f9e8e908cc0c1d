const db = require('@acme/db');

exports.byStatus = async (event) => {
  const rows = await db.findByStatus(event.queryStringParameters.status);
  return { statusCode: 200, body: JSON.stringify(rows) };
};

exports.byId = async (event) => {
  const rows = await db.findById(event.pathParameters.id);
  return { statusCode: 200, body: JSON.stringify(rows) };
};
