import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** The worker's Prometheus metrics; protocol modules add their own to `registry`. */
export class WorkerMetrics {
  readonly registry = new Registry();
  /** Under a supervisor (AIRLOCK_WORKER_PROCESSES), the processes' lowest: the oldest policy any of them enforces. */
  readonly policyVersion = new Gauge({ name: 'airlock_worker_policy_version', help: 'Policy snapshot version in force', aggregator: 'min', registers: [this.registry] });
  readonly sessions = new Gauge({ name: 'airlock_worker_sessions', help: 'Open sessions', labelNames: ['protocol'] as const, registers: [this.registry] });
  readonly sessionsTotal = new Counter({
    name: 'airlock_worker_sessions_total',
    help: 'Sessions by protocol and outcome of the connect phase',
    labelNames: ['protocol', 'outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'airlock_worker_' });
  }
}
