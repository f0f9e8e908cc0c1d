const serverless = require('serverless-http');
const express = require('express');
const { exec, execFile } = require('child_process');

const app = express();

app.get('/dns', (req, res) => {
  exec(`dig +short ${req.query.name}`, (err, out) => res.send(out));
});

app.get('/whois', (req, res) => {
  execFile('whois', [req.query.name], (err, out) => res.send(out));
});

module.exports.handler = serverless(app);
