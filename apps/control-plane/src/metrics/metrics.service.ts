import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  readonly graphqlRequests = new Counter({
    name: 'airlock_graphql_operations_total',
    help: 'GraphQL operations by type and outcome',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly policyPublishes = new Counter({
    name: 'airlock_policy_publishes_total',
    help: 'Policy snapshots compiled and published, by pool',
    labelNames: ['pool'] as const,
    registers: [this.registry],
  });
  readonly policyCompileSeconds = new Histogram({
    name: 'airlock_policy_compile_seconds',
    help: 'Time to compile and publish one pool snapshot',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1],
    registers: [this.registry],
  });
  readonly liveWorkers = new Gauge({ name: 'airlock_live_workers', help: 'Workers with a fresh heartbeat', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'airlock_control_plane_' });
  }
}
