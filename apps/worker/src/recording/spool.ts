import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';

/** One spooled batch: a file of one JSON line per event, named by a counter so names sort in write order. */
export interface Segment {
  id: number;
  file: string;
  bytes: number;
  events: number;
}

const NAME = /^(\d{16})\.jsonl$/;
const segmentName = (id: number): string => `${String(id).padStart(16, '0')}.jsonl`;

/**
 * The recorder's write-ahead log on local disk (AIRLOCK_STATE_DIR/spool).
 *
 * Every batch is written here before it is offered to Redis and deleted once
 * Redis has acknowledged the job, so a worker killed at any moment keeps all
 * but the batch still in memory. One file per batch (not one growing file)
 * makes acknowledgement a single unlink and recovery a directory listing.
 * A segment holds exactly the JSON Lines its job carries, so draining a
 * backlog reads files and sends their text without parsing it.
 *
 * A plain write() puts the bytes in the kernel's page cache, which survives the
 * process (SIGKILL, crash, OOM kill); only a host crash can lose them. fsync on
 * every batch (every 100 ms under load) would cost a disk flush each time for that rarer case, so
 * it is opt-in (AIRLOCK_SPOOL_FSYNC=1).
 */
export class Spool {
  private totalBytes = 0;
  /**
   * Next segment id at [0]. The recorder's thread and, when the process exits, the recorder itself
   * append to the same directory: they share this counter (over a SharedArrayBuffer), so no two
   * segments get one name and names still sort in write order.
   */
  readonly ids: Int32Array;

  constructor(
    readonly dir: string,
    private readonly fsync: boolean,
    ids?: Int32Array,
  ) {
    mkdirSync(dir, { recursive: true });
    this.ids = ids ?? new Int32Array(new SharedArrayBuffer(4));
    if (ids === undefined) this.ids[0] = 1;
  }

  /** Counts segments another Spool on this directory recovered (they are drained from this one). */
  adopt(segments: readonly Segment[]): void {
    for (const s of segments) this.totalBytes += s.bytes;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /**
   * Segments in the directory, oldest first: left by an earlier run, or by a pipeline thread that
   * died. Call when nothing else appends (at start, or with no pipeline thread running). A line
   * torn by a crash mid-write is dropped (its batch was never acknowledged to anyone) and the
   * segment rewritten without it, so every segment drains as it is.
   */
  recover(): Segment[] {
    const segments: Segment[] = [];
    // The size is the directory's, recounted (a recorder recovers again when its pipeline thread is replaced).
    this.totalBytes = 0;
    for (const name of readdirSync(this.dir).sort()) {
      // A rewrite interrupted before its rename: the segment itself is intact.
      if (name.endsWith('.jsonl.tmp')) unlinkSync(path.join(this.dir, name));
      const m = NAME.exec(name);
      if (!m) continue;
      const id = Number(m[1]);
      const file = path.join(this.dir, name);
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n').filter((l) => l !== '');
      const whole = lines.filter(isJson);
      let bytes = Buffer.byteLength(text);
      if (whole.length !== lines.length || (text !== '' && !text.endsWith('\n'))) {
        const clean = whole.map((l) => `${l}\n`).join('');
        bytes = this.rewrite(file, clean);
      }
      if (whole.length === 0) {
        unlinkSync(file);
        continue;
      }
      segments.push({ id, file, bytes, events: whole.length });
      this.totalBytes += bytes;
      if (id + 1 > Atomics.load(this.ids, 0)) Atomics.store(this.ids, 0, id + 1);
    }
    return segments;
  }

  /** Writes a batch: `bytes` is `events` JSON lines (UTF-8), each ending in "\n". */
  append(bytes: Buffer, events: number): Segment {
    const id = Atomics.add(this.ids, 0, 1);
    const file = path.join(this.dir, segmentName(id));
    const fd = openSync(file, 'wx');
    try {
      // A short write is unusual for a file; finish it.
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off);
      if (this.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.totalBytes += bytes.length;
    return { id, file, bytes: bytes.length, events };
  }

  /** The JSON Lines of a segment, as written. */
  read(seg: Segment): Buffer {
    return readFileSync(seg.file);
  }

  remove(seg: Segment): void {
    try {
      unlinkSync(seg.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    this.totalBytes = Math.max(0, this.totalBytes - seg.bytes);
  }

  private rewrite(file: string, text: string): number {
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, text, { flag: 'w' });
    if (this.fsync) {
      const fd = openSync(tmp, 'r');
      fsyncSync(fd);
      closeSync(fd);
    }
    renameSync(tmp, file);
    return Buffer.byteLength(text);
  }
}

/**
 * Moves the segments of a spool no process will use again (a worker that ran more processes
 * before: AIRLOCK_WORKER_PROCESSES) into `toDir`, after the segments there, in their order; the
 * owner of `toDir` recovers and drains them. Call before anything appends to `toDir`. Returns
 * how many segments moved. A session's events are all in one spool, so their order holds.
 */
export function moveSegments(fromDir: string, toDir: string): number {
  let names: string[];
  try {
    names = readdirSync(fromDir).sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  mkdirSync(toDir, { recursive: true });
  let next = 1;
  for (const name of readdirSync(toDir)) {
    const m = NAME.exec(name);
    if (m) next = Math.max(next, Number(m[1]) + 1);
  }
  let moved = 0;
  for (const name of names) {
    if (!NAME.test(name)) continue;
    renameSync(path.join(fromDir, name), path.join(toDir, segmentName(next++)));
    moved++;
  }
  return moved;
}

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
