import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { SessionEvent } from '@airlock/contracts';

/** One spooled batch: a file of one JSON line per event, named by a counter so names sort in write order. */
export interface Segment {
  id: number;
  file: string;
  bytes: number;
  events: number;
}

const NAME = /^(\d{16})\.jsonl$/;

/**
 * The recorder's write-ahead log on local disk (AIRLOCK_STATE_DIR/spool).
 *
 * Every batch is written here before it is offered to Redis and deleted once
 * Redis has acknowledged the job, so a worker killed at any moment keeps all
 * but the batch still in memory. One file per batch (not one growing file)
 * makes acknowledgement a single unlink and recovery a directory listing.
 *
 * A plain write() puts the bytes in the kernel's page cache, which survives the
 * process (SIGKILL, crash, OOM kill); only a host crash can lose them. fsync on
 * every 50 ms batch would cost a disk flush each time for that rarer case, so
 * it is opt-in (AIRLOCK_SPOOL_FSYNC=1).
 */
export class Spool {
  private nextId = 1;
  private totalBytes = 0;

  constructor(
    readonly dir: string,
    private readonly fsync: boolean,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Segments left by an earlier run, oldest first. Call once, before the first append. */
  recover(): Segment[] {
    const segments: Segment[] = [];
    for (const name of readdirSync(this.dir).sort()) {
      const m = NAME.exec(name);
      if (!m) continue;
      const file = path.join(this.dir, name);
      const bytes = statSync(file).size;
      const events = this.read({ id: Number(m[1]), file, bytes, events: 0 }).length;
      segments.push({ id: Number(m[1]), file, bytes, events });
      this.totalBytes += bytes;
      this.nextId = Math.max(this.nextId, Number(m[1]) + 1);
    }
    return segments;
  }

  append(events: readonly SessionEvent[]): Segment {
    const id = this.nextId++;
    const file = path.join(this.dir, `${String(id).padStart(16, '0')}.jsonl`);
    let text = '';
    for (const e of events) text += `${JSON.stringify(e)}\n`;
    const buf = Buffer.from(text);
    const fd = openSync(file, 'wx');
    try {
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
      if (this.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.totalBytes += buf.length;
    return { id, file, bytes: buf.length, events: events.length };
  }

  /** The events of a segment. A line torn by a kill mid-write is skipped: its batch was never acknowledged to anyone. */
  read(seg: Segment): SessionEvent[] {
    const out: SessionEvent[] = [];
    for (const line of readFileSync(seg.file, 'utf8').split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as SessionEvent);
      } catch {
        // torn tail
      }
    }
    return out;
  }

  remove(seg: Segment): void {
    try {
      unlinkSync(seg.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.totalBytes = Math.max(0, this.totalBytes - seg.bytes);
  }
}
