const { NotesRepository } = require('./lib/repository');

const repo = new NotesRepository(process.env.MONGO_URL);

module.exports.search = async (event) => {
  const { filter } = JSON.parse(event.body);
  return { statusCode: 200, body: JSON.stringify(await repo.search(filter)) };
};

module.exports.mine = async (event) => {
  const owner = event.requestContext.authorizer.jwt.claims.sub;
  return { statusCode: 200, body: JSON.stringify(await repo.byOwner(owner)) };
};
