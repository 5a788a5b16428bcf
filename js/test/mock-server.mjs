// A stand-in for the Graph token endpoints, run as a child process of a test.
//
// The component's exports block the Node main thread until the HTTP exchange ends, so a server in
// the test's own process could never respond. This one runs in a forked child, listens on
// 127.0.0.1 at a port the OS picks, and talks to the parent over the IPC channel:
//   child -> parent  { type: 'listening', port }
//   parent -> child  { type: 'requests' }      child -> parent  { type: 'requests', requests }
//
// The reply plan comes as JSON in argv[2]:
//   { byToken: { [token]: reply | reply[] }, fallback: reply | reply[] }
// The token is the `fb_exchange_token` or `access_token` query parameter. A list of replies is
// used in order, one per request, and its last reply repeats. A reply is
//   { status, headers?, body?, json?, delayMs?, resetAfterBytes? }
// where `json` is sent serialized with `content-type: application/json`, and `body` as is. With
// `resetAfterBytes`, the reply declares the full body length, sends only that many bytes of the
// body, and then resets the connection.

import http from 'node:http';

const plan = JSON.parse(process.argv[2] ?? '{}');
const requests = [];
const replyCounts = new Map();

function chooseReply(token) {
  const key = token !== null && plan.byToken && Object.hasOwn(plan.byToken, token) ? token : null;
  const entry = key === null ? plan.fallback : plan.byToken[key];
  if (entry === undefined) {
    return { status: 404, json: { error: 'no reply planned for this token in the mock server' } };
  }
  if (!Array.isArray(entry)) {
    return entry;
  }
  const count = replyCounts.get(key) ?? 0;
  replyCounts.set(key, count + 1);
  return entry[Math.min(count, entry.length - 1)];
}

function send(response, reply) {
  const headers = { ...(reply.headers ?? {}) };
  let body = reply.body ?? '';
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    headers['content-type'] = 'application/json';
  }
  if (reply.resetAfterBytes !== undefined) {
    headers['content-length'] = String(Buffer.byteLength(body));
    response.writeHead(reply.status, headers);
    response.write(Buffer.from(body).subarray(0, reply.resetAfterBytes));
    // The short delay lets the headers and partial body reach the client before the reset.
    setTimeout(() => response.socket.resetAndDestroy(), 50);
    return;
  }
  response.writeHead(reply.status, headers);
  response.end(body);
}

const server = http.createServer((request, response) => {
  const rawUrl = request.url ?? '';
  const queryStart = rawUrl.indexOf('?');
  const path = queryStart === -1 ? rawUrl : rawUrl.slice(0, queryStart);
  const query = queryStart === -1 ? '' : rawUrl.slice(queryStart + 1);
  const parameters = new URLSearchParams(query);
  const token = parameters.get('fb_exchange_token') ?? parameters.get('access_token');

  requests.push({
    method: request.method,
    path,
    query,
    host: request.headers.host ?? null,
    headers: request.headers,
  });

  const reply = chooseReply(token);
  if (reply.delayMs) {
    setTimeout(() => send(response, reply), reply.delayMs);
  } else {
    send(response, reply);
  }
});

process.on('message', (message) => {
  if (message?.type === 'requests') {
    process.send({ type: 'requests', requests });
  }
});

// The parent closes the IPC channel when it stops the mock, or when it exits without doing so.
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  process.send({ type: 'listening', port: server.address().port });
});
