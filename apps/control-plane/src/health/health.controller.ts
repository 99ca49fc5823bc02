import { Controller, Get, Header, HttpException, HttpStatus } from '@nestjs/common';
import { MetricsService } from '../metrics/metrics.service';
import { PrismaService } from '../prisma/prisma.service';
import { RedisService } from '../redis/redis.service';
import { Public } from '../common/public.decorator';

/** Liveness and readiness for load balancers, and Prometheus metrics. */
@Controller()
@Public()
export class HealthController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('healthz')
  async health(): Promise<{ status: 'ok'; postgres: 'ok'; redis: 'ok' }> {
    const [pg, redis] = await Promise.allSettled([withTimeout(this.prisma.ping()), withTimeout(this.redis.ping())]);
    if (pg.status === 'rejected' || redis.status === 'rejected') {
      throw new HttpException(
        { status: 'unavailable', postgres: pg.status === 'fulfilled' ? 'ok' : 'down', redis: redis.status === 'fulfilled' ? 'ok' : 'down' },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
    return { status: 'ok', postgres: 'ok', redis: 'ok' };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

function withTimeout<T>(p: Promise<T>, ms = 2000): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
