import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { Injectable, Logger } from '@nestjs/common';
import { RecordEventBlobJob, type RecordEventsJob } from '@airlock/contracts';
import { RedisService } from '../redis/redis.service';
import { RecordingException, RecordingExceptionCode } from './recording.exception';
import { type IngestSummary, RecordingService } from './recording.service';

/** Payload of JobName.RecordEvents (validated by the service: the wire is not trusted). */
export type RecordEventsPayload = RecordEventsJob;

/**
 * Stores a record-events job. A job in the blob form (what workers send) points to its batch's
 * JSON Lines in Redis, compressed (schemaVersion 2) or not (1): the bytes are read here, inflated
 * when compressed, stored like a `lines` job, and the blob is deleted once the job completed (a
 * retry before that still finds it).
 */
@Injectable()
export class RecordEventsJobHandler {
  private readonly logger = new Logger(RecordEventsJobHandler.name);

  constructor(
    private readonly recording: RecordingService,
    private readonly redis: RedisService,
  ) {}

  async handle(payload: unknown): Promise<IngestSummary> {
    const job = this.blobJob(payload);
    if (!job) return this.recording.ingest(payload);
    const bytes = await this.redis.client.getBuffer(job.blob);
    if (bytes === null) {
      throw new RecordingException(
        RecordingExceptionCode.BLOB_MISSING,
        `airlock: the ${job.events} events of this record-events job from worker ${job.workerId} are gone from Redis (blob ${job.blob} expired or was deleted); they cannot be stored`,
      );
    }
    if (bytes.length !== job.bytes) throw invalid(`blob ${job.blob} holds ${bytes.length} bytes, the job says ${job.bytes}`);
    const lines = job.schemaVersion === 1 ? bytes : await inflated(job.blob, bytes, job.plainBytes);
    const summary = await this.recording.ingest({ schemaVersion: 1, workerId: job.workerId, lines: lines.toString('utf8') }, job.events);
    return summary;
  }

  /** After the job completed: its blob is no longer needed (best effort: the TTL removes it otherwise). */
  async completed(payload: unknown): Promise<void> {
    const job = this.blobJob(payload);
    if (!job) return;
    await this.redis.client.del(job.blob).catch((err: Error) => this.logger.warn(`recording: could not delete ${job.blob}: ${err.message}; it expires on its own`));
  }

  /** The blob form, with a key this worker may name (never another key of the deployment). */
  private blobJob(payload: unknown): RecordEventBlobJob | undefined {
    if (typeof (payload as { blob?: unknown } | null)?.blob !== 'string') return undefined;
    const parsed = RecordEventBlobJob.safeParse(payload);
    if (!parsed.success) throw invalid(parsed.error.issues[0]?.message);
    const own = this.redis.keys.recordingBlob(parsed.data.workerId, '');
    if (!parsed.data.blob.startsWith(own)) throw invalid(`blob key ${JSON.stringify(parsed.data.blob)} is not under ${own}`);
    return parsed.data;
  }
}

const inflateRawAsync = promisify(inflateRaw);

/** A version-2 blob's JSON Lines: inflated off the event loop, never past the size the job gives. */
async function inflated(blob: string, bytes: Buffer, plainBytes: number): Promise<Buffer> {
  let out: Buffer;
  try {
    out = await inflateRawAsync(bytes, { maxOutputLength: plainBytes });
  } catch (err) {
    throw invalid(`blob ${blob} does not inflate to the ${plainBytes} bytes the job says: ${(err as Error).message}`);
  }
  if (out.length !== plainBytes) throw invalid(`blob ${blob} inflates to ${out.length} bytes, the job says ${plainBytes}`);
  return out;
}

function invalid(why: string | undefined): RecordingException {
  return new RecordingException(RecordingExceptionCode.INVALID_JOB, `airlock: invalid record-events job: ${why ?? 'bad payload'}`);
}
