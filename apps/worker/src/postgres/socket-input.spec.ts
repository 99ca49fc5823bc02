import net from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { adoptReusable, connectReusable, type ReusableInput } from './socket-input';

// Real loopback sockets: what matters here is how Node's net delivers reads into our buffers.

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A server that hands each accepted socket to `onSocket`; resolves to its port. */
async function serve(options: net.ServerOpts, onSocket: (s: net.Socket, server: net.Server) => void): Promise<{ port: number; server: net.Server }> {
  const server = net.createServer(options, (s) => onSocket(s, server));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => server.close());
  return { port: (server.address() as net.AddressInfo).port, server };
}

/** Collects what the sink sees, each chunk's backing memory, and answers release/pin/keep per chunk. */
function record(input: ReusableInput, answer: 'release' | 'pin' | 'keep' | 'none') {
  const seen: { text: string; memory: ArrayBufferLike; kept?: Buffer }[] = [];
  let wake: () => void = () => undefined;
  input.attach((chunk) => {
    const entry: (typeof seen)[number] = { text: chunk.toString(), memory: chunk.buffer };
    if (answer === 'release') input.release();
    else if (answer === 'pin') input.pin();
    else if (answer === 'keep') entry.kept = input.keep(chunk);
    seen.push(entry);
    wake();
  });
  const until = (n: number) => new Promise<void>((resolve) => {
    const check = () => (seen.length >= n ? resolve() : (wake = check));
    check();
  });
  return { seen, until };
}

async function pair(): Promise<{ client: net.Socket; input: ReusableInput; peer: net.Socket }> {
  let peer!: net.Socket;
  const accepted = new Promise<void>((resolve) => {
    void serve({}, (s) => ((peer = s), cleanups.push(() => s.destroy()), resolve())).then(({ port }) => {
      const { socket, input } = connectReusable({ host: '127.0.0.1', port });
      cleanups.push(() => socket.destroy());
      conn = { client: socket, input };
    });
  });
  let conn!: { client: net.Socket; input: ReusableInput };
  await accepted;
  await new Promise<void>((resolve) => (conn.client.readyState === 'open' ? resolve() : conn.client.once('connect', () => resolve())));
  return { ...conn, peer };
}

/** Writes one chunk and waits until the reader saw it (so each write is its own read). */
async function send(peer: net.Socket, until: (n: number) => Promise<void>, texts: string[]): Promise<void> {
  for (let i = 0; i < texts.length; i++) {
    peer.write(texts[i]);
    await until(i + 1);
  }
}

describe('ReusableInput (net onread)', () => {
  it('reads every released chunk into the same memory', async () => {
    const { input, peer } = await pair();
    const { seen, until } = record(input, 'release');
    await send(peer, until, ['one', 'two', 'three']);
    expect(seen.map((s) => s.text)).toEqual(['one', 'two', 'three']);
    expect(new Set(seen.map((s) => s.memory)).size).toBe(1);
  });

  it('never reuses memory that was pinned, or that nobody released', async () => {
    for (const answer of ['pin', 'none'] as const) {
      const { input, peer } = await pair();
      const { seen, until } = record(input, answer);
      await send(peer, until, ['a', 'b', 'c']);
      expect(new Set(seen.map((s) => s.memory)).size).toBe(3);
    }
  });

  it('keep() copies a small chunk out (the buffer is reused) and gives a large one away (it is not)', async () => {
    const { input, peer } = await pair();
    const { seen, until } = record(input, 'keep');
    const big = 'x'.repeat(40 * 1024);
    await send(peer, until, ['small', 'tiny']);
    expect(seen[0].kept!.buffer).not.toBe(seen[0].memory);
    expect(seen[1].memory).toBe(seen[0].memory);
    peer.write(big);
    // A large write may arrive in several reads; every one of them is kept whole.
    await new Promise<void>((resolve) => {
      const check = () => (seen.slice(2).reduce((n, s) => n + s.text.length, 0) >= big.length ? resolve() : setTimeout(check, 5));
      check();
    });
    const bigReads = seen.slice(2).filter((s) => s.text.length >= 16 * 1024);
    expect(bigReads.length).toBeGreaterThan(0);
    for (const s of bigReads) expect(s.kept!.buffer).toBe(s.memory);
    expect(seen.slice(2).map((s) => s.kept!.toString()).join('')).toBe(big);
  });

  it('writeThrough() releases a buffer written straight through, and recycles one a queued write held once it is flushed', async () => {
    const { input, peer } = await pair();
    // A destination whose writes complete only when we say so.
    const callbacks: (() => void)[] = [];
    let slow = false;
    const to = new Writable({
      highWaterMark: 1 << 20,
      write(_chunk, _enc, cb) {
        if (slow) callbacks.push(cb);
        else cb();
      },
    });
    const seen: ArrayBufferLike[] = [];
    let wake: () => void = () => undefined;
    input.attach((chunk) => {
      seen.push(chunk.buffer);
      input.writeThrough(to, chunk);
      wake();
    });
    const next = async (text: string) => {
      const n = seen.length;
      const arrived = new Promise<void>((resolve) => (wake = () => seen.length > n && resolve()));
      peer.write(text);
      await arrived;
    };
    await next('r1');
    await next('r2');
    expect(seen[1]).toBe(seen[0]); // written through: reused
    slow = true;
    await next('r3'); // queued first: pinned, new memory next
    await next('r4'); // queued behind r3: recycled when flushed
    await next('r5');
    expect(new Set(seen.slice(2)).size).toBe(3);
    slow = false;
    for (const cb of callbacks.splice(0)) cb();
    // r4's and r5's writes are flushed: their buffers are spare. The buffer for the read after
    // r6 (whose write is held again) comes from them instead of a new allocation.
    slow = true;
    await next('r6');
    await next('r7');
    expect([seen[3], seen[4]]).toContain(seen[6]);
  });

  it('holds what arrives while no sink is attached, in order, for the next one', async () => {
    const { input, peer } = await pair();
    input.attach(null);
    peer.write('early-1');
    await new Promise((r) => setTimeout(r, 30));
    peer.write('early-2');
    await new Promise((r) => setTimeout(r, 30));
    const { seen, until } = record(input, 'release');
    await until(1);
    peer.write('late');
    await until(3);
    expect(seen.map((s) => s.text).join('|')).toBe('early-1|early-2|late');
  });
});

describe('adoptReusable', () => {
  it('moves an accepted connection to a reused read buffer without losing bytes, and the server still closes', async () => {
    let adoptedInput: ReusableInput | null = null;
    let adoptedSocket: net.Socket | null = null;
    const { port, server } = await serve({ pauseOnConnect: true }, (accepted) => {
      const adopted = adoptReusable(accepted);
      expect(adopted).not.toBeNull();
      adoptedInput = adopted!.input;
      adoptedSocket = adopted!.socket;
      adoptedSocket.on('data', () => {
        throw new Error('an adopted socket must not emit data');
      });
    });
    const client = net.connect({ host: '127.0.0.1', port });
    cleanups.push(() => client.destroy());
    // Written before the server side adopts: pauseOnConnect keeps it in the kernel until then.
    client.write('before');
    await new Promise<void>((resolve) => {
      const check = () => (adoptedInput ? resolve() : setTimeout(check, 2));
      check();
    });
    const { seen, until } = record(adoptedInput!, 'release');
    await until(1);
    await send(client, (n) => until(n + 1), ['after']);
    expect(seen.map((s) => s.text)).toEqual(['before', 'after']);
    // Writes go out on the adopted socket.
    const echoed = new Promise<string>((resolve) => client.once('data', (d) => resolve(d.toString())));
    adoptedSocket!.write('pong');
    expect(await echoed).toBe('pong');
    // The server does not wait for the retired object: close() completes once the adopted one is gone.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    adoptedSocket!.destroy();
    await closed;
  });

  it('leaves a socket that is already reading alone', async () => {
    const result = new Promise<ReturnType<typeof adoptReusable>>((resolve) => {
      void serve({}, (accepted) => {
        accepted.on('data', () => undefined);
        resolve(adoptReusable(accepted));
        accepted.destroy();
      }).then(({ port }) => {
        const c = net.connect({ host: '127.0.0.1', port });
        c.on('error', () => undefined);
        cleanups.push(() => c.destroy());
      });
    });
    expect(await result).toBeNull();
  });
});
