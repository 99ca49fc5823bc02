import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { type AppConfig, describeConfig } from './config/config';
import { PinoLogger } from './common/pino-logger';

/** Builds and starts the control plane; used by main.ts and by tests. */
export async function startControlPlane(config: AppConfig): Promise<{ app: NestFastifyApplication; url: string; close(): Promise<void> }> {
  const logger = new PinoLogger(config.logLevel);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forConfig(config), new FastifyAdapter({ bodyLimit: 4 * 1024 * 1024 }), {
    logger,
    bufferLogs: false,
  });
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = `http://${config.http.host}:${port}`;
  logger.log({ msg: 'control plane listening', url, config: describeConfig(config) }, 'Bootstrap');
  return { app, url, close: () => app.close() };
}
