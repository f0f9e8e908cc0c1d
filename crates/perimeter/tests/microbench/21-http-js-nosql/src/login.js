const mongoose = require('mongoose');

const User = mongoose.model('User', new mongoose.Schema({ name: String, password: String }));

exports.handler = async (event) => {
  await mongoose.connect(process.env.MONGO_URL);
  const creds = JSON.parse(event.body);
  const user = await User.findOne({ name: creds.name, password: creds.password });
  return { statusCode: user ? 200 : 401 };
};
