// The peer: a Socket.IO 4 server with @socket.io/redis-adapter, doing what a geows node does in the
// benchmark workload: clients join a room and publish; every member of the room (the sender included)
// gets the message, across server processes through Redis.
// Usage: node sio-server.js --region us-east --port 0 --redis redis://127.0.0.1:6379
'use strict';
const http = require('http');
const { Server } = require('socket.io');
const { createAdapter } = require('@socket.io/redis-adapter');
const { createClient } = require('redis');

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i > 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  const region = arg('region', 'us-east');
  const port = Number(arg('port', '0'));
  const redisUrl = arg('redis', 'redis://127.0.0.1:6379');
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const server = http.createServer();
  const io = new Server(server, { transports: ['websocket'], adapter: createAdapter(pub, sub) });
  io.on('connection', (socket) => {
    socket.on('join', (room, ack) => {
      socket.join(room);
      if (typeof ack === 'function') ack('ok');
    });
    socket.on('pub', (room, data, ack) => {
      io.to(room).emit('msg', room, data);
      if (typeof ack === 'function') ack('ok');
    });
  });
  server.listen(port, '127.0.0.1', () => {
    console.log(`sio region ${region} pid ${process.pid} ws http://127.0.0.1:${server.address().port}`);
  });
  const stop = () => { io.close(); pub.quit().catch(() => {}); sub.quit().catch(() => {}); process.exit(0); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e) => { console.error(e); process.exit(1); });
