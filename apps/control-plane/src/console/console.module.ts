import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import { Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../config/config';

/** Paths the console never answers: the API and the operational endpoints keep their own 404s. */
const RESERVED = /^\/(graphql|healthz|metrics)(\/|$|\?)/;

/**
 * Serves the console's built files from AIRLOCK_CONSOLE_DIR at `/`, with the
 * SPA fallback (any other GET without a file extension gets index.html), and
 * `/console-config.json` telling the console which OpenID issuer to sign in at.
 * Registered on Fastify directly: these are public files, outside the GraphQL
 * guards, and a wildcard route ranks below /graphql, /healthz and /metrics.
 */
@Module({})
export class ConsoleModule implements OnModuleInit {
  private readonly logger = new Logger(ConsoleModule.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const dir = this.config.consoleDir ? path.resolve(this.config.consoleDir) : undefined;
    if (!dir) return;
    if (!existsSync(path.join(dir, 'index.html'))) {
      this.logger.warn({ msg: 'console not served: no index.html in AIRLOCK_CONSOLE_DIR (build it with `npm run build -w @airlock/console`)', dir });
      return;
    }
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const consoleConfig = this.config.oidc ? { issuer: this.config.oidc.issuer, clientId: 'airlock-console', audience: this.config.oidc.audience } : null;
    void fastify.register(async (scope) => {
      await scope.register(fastifyStatic, { root: dir, serve: false });
      scope.get('/console-config.json', async (_req, reply) => {
        if (!consoleConfig) return reply.code(404).send({ error: 'airlock: no OIDC_ISSUER configured, so the console has nobody to sign in with' });
        return reply.header('cache-control', 'no-store').send(consoleConfig);
      });
      scope.get('/*', (req, reply) => this.serve(dir, req, reply));
    });
    this.logger.log({ msg: 'serving the console', dir });
  }

  private async serve(dir: string, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const urlPath = decodeURIComponent(req.url.split('?')[0]);
    if (RESERVED.test(urlPath)) return notFound(reply);
    const file = path.normalize(urlPath).replace(/^(\.\.[/\\])+/, '');
    const full = path.join(dir, file);
    if (full.startsWith(dir + path.sep) && (await isFile(full))) {
      // Vite's hashed assets never change under one name.
      const immutable = file.startsWith('/assets/');
      return reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache').sendFile(file.slice(1));
    }
    // A missing file with an extension is a real 404, not the app.
    if (path.extname(file)) return notFound(reply);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  }
}

/** Hands the request to Nest's 404 handler. */
function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}
