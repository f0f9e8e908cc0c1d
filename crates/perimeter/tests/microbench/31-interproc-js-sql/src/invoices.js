const { Pool } = require('pg');

const pool = new Pool();

function buildFilter(field, value) {
  return `${field} = '${value}'`;
}

async function findInvoices(customer) {
  const where = buildFilter('customer', customer);
  return pool.query('SELECT * FROM invoices WHERE ' + where);
}

async function countFor(customer) {
  return pool.query('SELECT count(*) FROM invoices WHERE customer = $1', [customer]);
}

exports.list = async (event) => {
  const { rows } = await findInvoices(event.queryStringParameters.customer);
  return { statusCode: 200, body: JSON.stringify(rows) };
};

exports.count = async (event) => {
  const { rows } = await countFor(event.queryStringParameters.customer);
  return { statusCode: 200, body: JSON.stringify(rows[0]) };
};
