import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';
import { type WorkerPoolObject } from './dto/worker-pool.object';

const select = { id: true, name: true, publicKey: true, policyVersion: true, createdAt: true, _count: { select: { connections: true } } } as const;

type Row = { id: string; name: string; publicKey: string; policyVersion: number; createdAt: Date; _count: { connections: number } };

function toObject(r: Row): WorkerPoolObject {
  return { id: r.id, name: r.name, publicKey: r.publicKey, policyVersion: r.policyVersion, createdAt: r.createdAt, connections: r._count.connections };
}

@Injectable()
export class WorkerPoolsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async list(): Promise<WorkerPoolObject[]> {
    return (await this.prisma.workerPool.findMany({ select, orderBy: { name: 'asc' } })).map(toObject);
  }

  async findByName(name: string): Promise<WorkerPoolObject | null> {
    const row = await this.prisma.workerPool.findUnique({ where: { name }, select });
    return row ? toObject(row) : null;
  }

  /** Registering again replaces the key: the next snapshot is sealed to the new one. */
  async upsert(name: string, publicKey: string): Promise<WorkerPoolObject> {
    return toObject(await this.prisma.workerPool.upsert({ where: { name }, create: { name, publicKey }, update: { publicKey }, select }));
  }
}
