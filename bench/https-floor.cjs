// The floor of any Node.js `get` (bench/plugin.mjs): the same list request as `kubectl sei task
// get`, with no library at all: node:https, the CA and token passed in, names printed. What a
// Node program cannot go below on this machine, whatever it loads or caches.
'use strict';
const https = require('node:https');
const { url, ca, token } = JSON.parse(process.argv[2]);
https.get(`${url}/apis/sei.io/v1alpha1/namespaces/sei/seinodetasks`, { ca, headers: { Authorization: `Bearer ${token}` } }, (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk) => (body += chunk));
  res.on('end', () => process.stdout.write(`${JSON.parse(body).items.map((item) => item.metadata.name).join('\n')}\n`));
});
