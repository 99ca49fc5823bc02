import { z } from 'zod';

/** A verdict of the guardrail engine, as recorded. */
export const Verdict = z.enum(['ALLOW', 'BLOCK', 'REVIEW']);
export type Verdict = z.infer<typeof Verdict>;

const base = {
  sessionId: z.string().uuid(),
  /** 0-based, gap-free within a session. */
  seq: z.number().int().nonnegative(),
  at: z.string(),
};

export const SessionStartEvent = z.object({
  ...base,
  kind: z.literal('session.start'),
  identity: z.object({ kind: z.enum(['USER', 'SERVICE_ACCOUNT']), name: z.string(), groups: z.array(z.string()) }),
  tokenKind: z.enum(['oidc', 'api_key']),
  connection: z.object({ name: z.string(), kind: z.enum(['POSTGRES', 'SSH', 'KUBERNETES', 'HTTP']) }),
  profile: z.string(),
  workerId: z.string(),
  clientAddress: z.string().nullable(),
});

export const StatementEvent = z.object({
  ...base,
  kind: z.literal('statement'),
  sql: z.string(),
  /** Bind parameters, already masked. */
  params: z.array(z.string().nullable()).optional(),
  fingerprint: z.string().nullable(),
  statementKind: z.string().nullable(),
  verdict: Verdict,
  rule: z.string().nullable(),
  reviewId: z.string().nullable().optional(),
  approver: z.string().nullable().optional(),
  durationMs: z.number().nonnegative(),
  rows: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  errorCode: z.string().nullable(),
  masked: z.record(z.string(), z.number().int().nonnegative()),
  /** First masked result rows, within the configured byte budget. */
  sample: z.object({ columns: z.array(z.string()), rows: z.array(z.array(z.string().nullable())) }).nullable().optional(),
});

export const ReviewEvent = z.object({
  ...base,
  kind: z.literal('review'),
  reviewId: z.string(),
  status: z.enum(['REQUESTED', 'APPROVED', 'REJECTED', 'EXPIRED', 'WITHDRAWN']),
  approver: z.string().nullable(),
  reason: z.string().nullable(),
});

export const SessionEndEvent = z.object({
  ...base,
  kind: z.literal('session.end'),
  reason: z.string(),
  statements: z.number().int().nonnegative(),
  bytesIn: z.number().int().nonnegative(),
  bytesOut: z.number().int().nonnegative(),
});

export const SessionEvent = z.discriminatedUnion('kind', [SessionStartEvent, StatementEvent, ReviewEvent, SessionEndEvent]);
export type SessionEvent = z.infer<typeof SessionEvent>;
export type SessionEventKind = SessionEvent['kind'];

/** One BullMQ job carries a batch of events (of one or more sessions). */
export const RecordEventsJob = z.object({ schemaVersion: z.literal(1), workerId: z.string(), events: z.array(SessionEvent).min(1) });
export type RecordEventsJob = z.infer<typeof RecordEventsJob>;

/**
 * The same batch as JSON Lines: one SessionEvent's JSON per line, each line ending in "\n" (the
 * bytes of the worker's spool segment). A worker serialises each event once, for its spool and its
 * queue alike; the control plane validates every line against SessionEvent as it would `events`.
 * Control planes accept both forms, so workers that send `events` keep working.
 */
export const RecordEventLinesJob = z.object({ schemaVersion: z.literal(1), workerId: z.string(), lines: z.string().min(1) });
export type RecordEventLinesJob = z.infer<typeof RecordEventLinesJob>;

/**
 * The same JSON Lines, left in Redis under `blob` (keySpace().recordingBlob, a plain string key
 * with a TTL of RECORDING_BLOB_TTL_SECONDS) and pointed to by the job: the batch crosses Redis
 * as raw bytes once each way, instead of as a JSON string escaped inside the job's JSON, copied
 * through BullMQ's script and read back with the job. The worker writes the blob, then adds the
 * job; the control plane reads it, stores the events and deletes it once the job completed. A
 * job whose blob is gone fails for good (its events are lost, and the failed job says how many).
 */
const blobJobFields = {
  workerId: z.string(),
  blob: z.string().min(1),
  /** Events (lines) in the blob. */
  events: z.number().int().positive(),
  /** Size of the blob in bytes, as stored in Redis. */
  bytes: z.number().int().positive(),
};

/**
 * schemaVersion 1: the blob is the JSON Lines as they are. schemaVersion 2 (what workers send):
 * the JSON Lines compressed with raw DEFLATE (`encoding`), `plainBytes` long once inflated. A
 * batch's lines repeat their keys, session ids and statement texts: 500 pgbench events (~220 KB)
 * become ~12 KB, which is what Redis stores, what crosses the network twice, and what the worker
 * and Redis copy. A control plane that only knows version 1 refuses a version-2 job as invalid
 * instead of reading compressed bytes as text: upgrade control planes before workers.
 */
export const RecordEventBlobJob = z.discriminatedUnion('schemaVersion', [
  z.object({ schemaVersion: z.literal(1), ...blobJobFields }),
  z.object({ schemaVersion: z.literal(2), ...blobJobFields, encoding: z.literal('deflate-raw'), plainBytes: z.number().int().positive() }),
]);
export type RecordEventBlobJob = z.infer<typeof RecordEventBlobJob>;

/**
 * How long a batch's blob outlives its job being added: longer than a job's 20 attempts with
 * exponential backoff from 1 s take (about 12 days), so a job never outlives its blob by retrying.
 */
export const RECORDING_BLOB_TTL_SECONDS = 14 * 24 * 3600;
