import { RecordEventLinesJob, RecordEventsJob, SessionEvent } from '@airlock/contracts';
import { z } from 'zod';
import { RecordingException, RecordingExceptionCode } from './recording.exception';
import type { IngestEvent } from './recording.repository';

const Events = z.array(SessionEvent).min(1);
/** seq is an int4 column. */
const MAX_SEQ = 2 ** 31 - 1;

export interface DecodedJob {
  workerId: string;
  events: IngestEvent[];
  sessions: number;
}

/**
 * Validates a record-events payload (the wire is not trusted) in either form (`events`, or
 * `lines` of JSON), and everything the database would otherwise refuse later, so a bad job fails
 * alone before it is grouped with others. Lines are stored as they came (each one the JSON of the
 * value that is hashed); `events` are stored as validated.
 */
export function decodeRecordEvents(payload: unknown): DecodedJob {
  let workerId: string;
  let events: IngestEvent[];
  if (typeof (payload as { lines?: unknown } | null)?.lines === 'string') {
    const job = RecordEventLinesJob.safeParse(payload);
    if (!job.success) throw invalid(job.error.issues[0]?.message);
    workerId = job.data.workerId;
    const texts = splitLines(job.data.lines);
    const values: unknown[] = [];
    for (const t of texts) {
      try {
        values.push(JSON.parse(t));
      } catch {
        throw invalid('a line is not JSON');
      }
    }
    const checked = Events.safeParse(values);
    if (!checked.success) throw invalid(checked.error.issues[0]?.message);
    events = values.map((v, i) => ({ event: v as SessionEvent, json: texts[i]!, at: '' }));
  } else {
    const job = RecordEventsJob.safeParse(payload);
    if (!job.success) throw invalid(job.error.issues[0]?.message);
    workerId = job.data.workerId;
    events = job.data.events.map((e) => ({ event: e, json: JSON.stringify(e), at: '' }));
  }
  const sessions = new Set<string>();
  for (const e of events) {
    if (e.event.seq > MAX_SEQ) throw invalid(`seq ${e.event.seq} is out of range`);
    if (Number.isNaN(Date.parse(e.event.at))) throw invalid(`"at" is not a time: ${JSON.stringify(e.event.at).slice(0, 40)}`);
    e.at = isoTime(e.event.at);
    sessions.add(e.event.sessionId);
  }
  return { workerId, events, sessions: sessions.size };
}

function splitLines(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  while (from < text.length) {
    let nl = text.indexOf('\n', from);
    if (nl < 0) nl = text.length;
    if (nl > from) out.push(text.slice(from, nl));
    from = nl + 1;
  }
  return out;
}

function invalid(why: string | undefined): RecordingException {
  return new RecordingException(RecordingExceptionCode.INVALID_JOB, `airlock: invalid record-events job: ${why ?? 'bad payload'}`);
}

let lastAtIn = '';
let lastAtOut = '';
/** `at` as stored: ISO UTC (a valid time: checked on decode). Consecutive events often share one. */
export function isoTime(at: string): string {
  if (at !== lastAtIn) {
    lastAtOut = new Date(at).toISOString();
    lastAtIn = at;
  }
  return lastAtOut;
}
