const { execSync } = require('child_process');

const NAME = /^[A-Za-z0-9._-]{1,64}$/;

exports.tag = async (event) => {
  const { name } = JSON.parse(event.body);
  execSync(`git -C /srv/repo tag ${name}`);
  return { statusCode: 201 };
};

exports.branch = async (event) => {
  const { name } = JSON.parse(event.body);
  if (!NAME.test(name)) {
    return { statusCode: 400 };
  }
  execSync(`git -C /srv/repo branch ${name}`);
  return { statusCode: 201 };
};
