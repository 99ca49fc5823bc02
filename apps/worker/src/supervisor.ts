import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { WorkerConfig } from './config';
import { type HealthEndpoints, type HealthSource, startHealthServer } from './health/health-server';
import type { Logger } from './logger';
import { moveSegments } from './recording/spool';

// AIRLOCK_WORKER_PROCESSES > 1: the worker's listeners run in that many processes (node:cluster),
// which share the listening ports; the supervisor accepts each connection and hands it to the
// processes in turn. One Node process relays a session on one core; more processes use more cores.
// Each process is a worker of its own to the control plane (id `<id>-p<n>`, its own heartbeat,
// policy cache, recording spool and sessions), with a state directory of its own (process 1 keeps
// AIRLOCK_STATE_DIR, process n > 1 uses AIRLOCK_STATE_DIR/process-<n>), so a process that dies is
// started again as the same worker and recovers its own spool.

/** A message between processes, through the supervisor (which passes it to every other process). */
export interface SiblingMessage {
  airlock: 'sibling';
  topic: string;
  body: unknown;
}

const isMessage = <T extends { airlock: string }>(m: unknown, kind: T['airlock']): m is T => typeof m === 'object' && m !== null && (m as T).airlock === kind;

export const isSiblingMessage = (m: unknown): m is SiblingMessage => isMessage<SiblingMessage>(m, 'sibling');

/** The supervisor asks a process for its state (it serves the health port for all of them). */
interface HealthRequest {
  airlock: 'health';
  request: number;
}

/** A process's answer: what /healthz says for a single process. */
interface HealthReply {
  airlock: 'health-reply';
  request: number;
  id: string;
  policyVersion: number;
  sessions: number;
}

/**
 * In a supervised process: answers the supervisor's health requests, and its metrics requests
 * (prom-client's cluster protocol) with this process's registry. Returns what stops answering.
 */
export function answerSupervisor(source: HealthSource, registry: Registry): () => void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one installs prom-client's answering side of its cluster protocol in this process.
  new AggregatorRegistry();
  const onMessage = (m: unknown): void => {
    if (!isMessage<HealthRequest>(m, 'health')) return;
    const reply: HealthReply = { airlock: 'health-reply', request: m.request, id: source.id, policyVersion: source.policyVersion(), sessions: source.sessions() };
    process.send?.(reply);
  };
  process.on('message', onMessage);
  return () => void process.off('message', onMessage);
}

/** How long the supervisor waits for its processes' health answers. */
const HEALTH_TIMEOUT_MS = 1000;

/**
 * The supervisor's health endpoints: /healthz and /readyz from every process's answer (ready when
 * all n answer and each has a policy; policyVersion is the lowest, sessions the sum), /metrics
 * aggregated by prom-client (counters and gauges summed, the policy version's lowest).
 */
function supervisorEndpoints(config: WorkerConfig, processes: () => ClusterWorker[]): HealthEndpoints {
  const aggregator = new AggregatorRegistry();
  let next = 0;
  const pending = new Map<number, { replies: HealthReply[]; expected: number; done: () => void }>();
  cluster.on('message', (_worker, m: unknown) => {
    if (!isMessage<HealthReply>(m, 'health-reply')) return;
    const p = pending.get(m.request);
    if (!p) return;
    p.replies.push(m);
    if (p.replies.length === p.expected) p.done();
  });
  return {
    async status() {
      const request = next++;
      const live = processes().filter((w) => w.isConnected());
      const replies: HealthReply[] = [];
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, HEALTH_TIMEOUT_MS);
        const done = (): void => (clearTimeout(timer), resolve());
        pending.set(request, { replies, expected: live.length, done });
        const ask: HealthRequest = { airlock: 'health', request };
        for (const w of live) w.send(ask);
        if (live.length === 0) done();
      });
      pending.delete(request);
      replies.sort((a, b) => a.id.localeCompare(b.id));
      const all = replies.length === config.processes;
      const policyVersion = replies.length ? Math.min(...replies.map((r) => r.policyVersion)) : -1;
      const ready = all && policyVersion >= 0;
      return {
        ready,
        body: {
          status: ready ? 'ok' : !all ? 'processes-missing' : 'waiting-for-policy',
          id: config.id,
          pool: config.pool,
          policyVersion,
          sessions: replies.reduce((n, r) => n + r.sessions, 0),
          processes: replies.map((r) => ({ id: r.id, policyVersion: r.policyVersion, sessions: r.sessions })),
          expectedProcesses: config.processes,
        },
      };
    },
    metrics: () => aggregator.clusterMetrics(),
    contentType: aggregator.contentType,
  };
}

/** The state directory of process `index` of a worker. */
export function processStateDir(stateDir: string, index: number): string {
  return index === 1 ? stateDir : path.join(stateDir, `process-${index}`);
}

const PROCESS_DIR = /^process-(\d+)$/;

/**
 * Spools of processes that will not run (the worker ran with more processes before) are moved
 * into process 1's spool, which drains them. Call before any process starts.
 */
export function adoptRetiredSpools(stateDir: string, processes: number, log: Logger): void {
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = PROCESS_DIR.exec(name);
    if (!m || Number(m[1]) <= processes) continue;
    const moved = moveSegments(path.join(stateDir, name, 'spool'), path.join(stateDir, 'spool'));
    if (moved > 0) log.info({ from: name, segments: moved }, `recording: ${moved} spooled batches of a retired worker process moved to this one's spool`);
  }
}

/** Exit code of a worker whose configuration is invalid: the supervisor stops instead of restarting it. */
const CONFIG_ERROR_EXIT = 78;

/**
 * Serves the health port (for all processes) and runs `config.processes` worker processes, and keeps them running: a process that exits on its
 * own is started again (after 1 s, doubling up to 30 s while processes keep dying young). SIGTERM
 * or SIGINT stops them all (each closes its sessions and flushes its recording), then this process.
 */
export async function superviseWorkerProcesses(config: WorkerConfig, log: Logger): Promise<void> {
  adoptRetiredSpools(config.stateDir, config.processes, log);
  const byIndex = new Map<number, ClusterWorker>();
  const started = new Map<number, number>();
  const delays = new Map<number, number>();
  /** Processes that have listened at least once: one that fails before it ever does stops the worker (a port taken, say), as one process would. */
  const served = new Set<number>();
  let stopping = false;

  const start = (index: number): void => {
    const child = cluster.fork({ AIRLOCK_WORKER_ID: `${config.id}-p${index}`, AIRLOCK_STATE_DIR: processStateDir(config.stateDir, index) });
    byIndex.set(index, child);
    started.set(index, Date.now());
    child.once('listening', () => served.add(index));
    child.on('message', (m: unknown) => {
      if (!isSiblingMessage(m)) return;
      for (const [i, other] of byIndex) if (i !== index && other.isConnected()) other.send(m);
    });
    child.on('exit', (code, signal) => {
      if (byIndex.get(index) === child) byIndex.delete(index);
      if (stopping) {
        if (byIndex.size === 0) process.exit(process.exitCode ?? 0);
        return;
      }
      if (code === CONFIG_ERROR_EXIT || !served.has(index)) {
        log.fatal({ process: index, code, signal }, `worker process ${index} failed to start (its error is above); stopping the worker`);
        process.exitCode = code === CONFIG_ERROR_EXIT ? CONFIG_ERROR_EXIT : 1;
        stop('failed start');
        return;
      }
      const young = Date.now() - (started.get(index) ?? 0) < 60_000;
      const delay = young ? Math.min(30_000, Math.max(1000, (delays.get(index) ?? 0) * 2)) : 1000;
      delays.set(index, delay);
      log.error({ process: index, pid: child.process.pid, code, signal, restartInMs: delay }, `worker process ${index} exited; its sessions are lost, its spool is kept; starting it again in ${delay} ms`);
      setTimeout(() => !stopping && start(index), delay);
    });
  };

  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, processes: byIndex.size }, 'worker stopping its processes');
    if (byIndex.size === 0) process.exit(process.exitCode ?? 0);
    for (const child of byIndex.values()) child.process.kill('SIGTERM');
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));

  // The health port is the supervisor's: a port taken fails the start before any process runs.
  await startHealthServer(config.health, supervisorEndpoints(config, () => [...byIndex.values()]));
  log.info({ processes: config.processes, id: config.id, health: `http://${config.health.host}:${config.health.port}` }, `worker starting ${config.processes} processes`);
  for (let i = 1; i <= config.processes; i++) start(i);
}
