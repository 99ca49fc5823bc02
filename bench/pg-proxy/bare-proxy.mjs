// A bare Node TCP proxy: no framing, no authentication, nothing but bytes from one socket to the
// other, read into a reused buffer (net's `onread`) and written as a copy. The floor of any proxy
// written on Node's net module: run.mjs --bare 1 measures it beside Airlock and pgbouncer.
//
//   node bench/pg-proxy/bare-proxy.mjs <listen port> <upstream host> <upstream port>
import net from 'node:net';

const [port, upHost, upPort] = process.argv.slice(2);
const server = net.createServer({ noDelay: true }, (client) => {
  const upstream = net.connect({
    host: upHost,
    port: Number(upPort),
    noDelay: true,
    onread: { buffer: Buffer.allocUnsafe(64 * 1024), callback: (n, buf) => void client.write(Buffer.from(buf.subarray(0, n))) },
  });
  client.on('data', (chunk) => upstream.write(chunk));
  const close = () => (client.destroy(), upstream.destroy());
  for (const s of [client, upstream]) s.on('error', close).on('close', close);
});
server.listen(Number(port), '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
