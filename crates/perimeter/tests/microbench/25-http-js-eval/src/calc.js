exports.handler = async (event) => {
  const { expression, row } = JSON.parse(event.body);
  const compute = new Function('row', 'return ' + expression);
  return { statusCode: 200, body: String(compute(row)) };
};
