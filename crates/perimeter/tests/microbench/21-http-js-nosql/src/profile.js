const mongoose = require('mongoose');

const User = mongoose.model('User', new mongoose.Schema({ name: String, bio: String }));

exports.handler = async (event) => {
  await mongoose.connect(process.env.MONGO_URL);
  const form = JSON.parse(event.body);
  const user = await User.findOne({ name: String(form.name) });
  return { statusCode: 200, body: JSON.stringify({ bio: user && user.bio }) };
};
