const rules = require('rules-engine');

exports.handler = async (event) => {
  const { rule, facts } = JSON.parse(event.body);
  return { statusCode: 200, body: JSON.stringify(rules.evaluate(rule, facts)) };
};
