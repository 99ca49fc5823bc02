// A minimal streaming Postgres client: logs in (trust or cleartext password), sends one simple
// Query and reads its whole result frame by frame, without building rows.
import net from 'node:net';

/** { ms: to ReadyForQuery, first: ms to the first DataRow, bytes, rows, sample: the first DataRow as latin1 }. */
export function readResult(port, database, user, password, sql) {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    const params = Buffer.from(`user\0${user}\0database\0${database}\0\0`);
    const startup = Buffer.alloc(8);
    startup.writeInt32BE(8 + params.length, 0);
    startup.writeInt32BE(196608, 4);
    let pending = Buffer.alloc(0);
    let phase = 'login';
    let bytes = 0;
    let rows = 0;
    let t0 = 0;
    let first = 0;
    let sample = '';
    const typed = (code, body) => {
      const b = Buffer.alloc(5 + body.length);
      b[0] = code;
      b.writeInt32BE(4 + body.length, 1);
      body.copy(b, 5);
      return b;
    };
    s.on('connect', () => s.write(Buffer.concat([startup, params])));
    s.on('error', reject);
    s.on('data', (chunk) => {
      bytes += chunk.length;
      let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let pos = 0;
      while (buf.length - pos >= 5) {
        const len = buf.readInt32BE(pos + 1);
        if (buf.length - pos < len + 1) break;
        const code = buf[pos];
        if (code === 0x44) {
          if (rows++ === 0) {
            first = performance.now() - t0;
            sample = buf.subarray(pos, pos + len + 1).toString('latin1');
          }
        } else if (code === 0x52 && buf.readInt32BE(pos + 5) === 3) s.write(typed(0x70, Buffer.from(`${password}\0`)));
        else if (code === 0x45) return reject(new Error(`bench: server error ${buf.subarray(pos, pos + len + 1).toString('latin1')}`));
        else if (code === 0x5a) {
          if (phase === 'login') {
            phase = 'query';
            t0 = performance.now();
            bytes = 0;
            s.write(typed(0x51, Buffer.from(`${sql}\0`)));
          } else {
            const ms = performance.now() - t0;
            s.end(typed(0x58, Buffer.alloc(0)));
            return resolve({ ms, first, bytes, rows, sample });
          }
        }
        pos += len + 1;
      }
      pending = pos < buf.length ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
    });
  });
}
