// A streamer that registers with Wilbur like any Pixel Streaming app and then never sends
// an offer, so no video ever arrives: the "stream that never arrives" case, as a real
// process on Wilbur's real streamer port. Usage: node silent-streamer.mjs <ws-url> <id>
import WebSocket from 'ws';

const [url, id] = process.argv.slice(2);
const ws = new WebSocket(url);
ws.on('message', (data) => {
  const m = JSON.parse(String(data));
  if (m.type === 'identify') ws.send(JSON.stringify({ type: 'endpointId', id }));
  else if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong', time: m.time }));
});
ws.on('close', () => process.exit(0));
ws.on('error', (e) => {
  console.error(`silent streamer: ${e.message}`);
  process.exit(1);
});
