const { MongoClient } = require('mongodb');

class NotesRepository {
  constructor(url) {
    this.notes = new MongoClient(url).db('app').collection('notes');
  }

  search(filter) {
    return this.notes.find(filter).limit(50).toArray();
  }

  byOwner(owner) {
    return this.notes.find({ owner }).limit(50).toArray();
  }
}

module.exports = { NotesRepository };
