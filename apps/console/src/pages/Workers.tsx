import { gql } from '@urql/core';
import { useEffect } from 'react';
import { useQuery } from 'urql';
import { StateView } from '../components/StateView';
import { ago, formatTime, useNow } from '../lib/time';

interface Worker {
  id: string;
  pool: string;
  region: string;
  address: string | null;
  policyVersion: number;
  lastSeen: string;
  sessions: number;
}
interface Pool {
  id: string;
  name: string;
  policyVersion: number;
  connections: number;
}

const WORKERS = gql`query Workers { workers { id pool region address policyVersion lastSeen sessions } }`;
const POOLS = gql`query WorkerPools { workerPools { id name policyVersion connections } }`;
const REFRESH_MS = 5000;

export default function Workers() {
  const now = useNow(1000);
  const [workers, refetchWorkers] = useQuery<{ workers: Worker[] }>({ query: WORKERS, requestPolicy: 'cache-and-network' });
  const [pools, refetchPools] = useQuery<{ workerPools: Pool[] }>({ query: POOLS, requestPolicy: 'cache-and-network' });
  useEffect(() => {
    const t = setInterval(() => {
      refetchWorkers({ requestPolicy: 'network-only' });
      refetchPools({ requestPolicy: 'network-only' });
    }, REFRESH_MS);
    return () => clearInterval(t);
  }, [refetchWorkers, refetchPools]);
  const list = workers.data?.workers ?? [];
  const poolVersion = new Map((pools.data?.workerPools ?? []).map((p) => [p.name, p.policyVersion]));
  return (
    <section aria-labelledby="workers-title">
      <div className="page-head">
        <h1 id="workers-title">Workers</h1>
        <span className="muted">Refreshes every {REFRESH_MS / 1000} s</span>
      </div>
      <h2>Pools</h2>
      <StateView what="Worker pools" fetching={pools.fetching} error={pools.error}>
        {pools.data && pools.data.workerPools.length === 0 && <p className="muted">No pools registered.</p>}
        {pools.data && pools.data.workerPools.length > 0 && (
          <div className="card-grid">
            {pools.data.workerPools.map((p) => {
              const live = list.filter((w) => w.pool === p.name).length;
              return (
                <div className="card" key={p.id}>
                  <h3 style={{ marginTop: 0 }}>{p.name}</h3>
                  <dl className="meta">
                    <dt>Policy version</dt>
                    <dd>{p.policyVersion}</dd>
                    <dt>Connections</dt>
                    <dd>{p.connections}</dd>
                    <dt>Live workers</dt>
                    <dd>
                      <span className={`pill ${live ? 'pill-ok' : 'pill-bad'}`}>{live}</span>
                    </dd>
                  </dl>
                </div>
              );
            })}
          </div>
        )}
      </StateView>
      <h2>Live workers</h2>
      <StateView what="Workers" fetching={workers.fetching} error={workers.error}>
        {workers.data && list.length === 0 && <p className="muted">No worker has sent a heartbeat recently.</p>}
        {list.length > 0 && (
          <div className="table-wrap">
            <table className="data" aria-live="off">
              <thead>
                <tr>
                  <th scope="col">Worker</th>
                  <th scope="col">Pool</th>
                  <th scope="col">Region</th>
                  <th scope="col">Address</th>
                  <th scope="col" className="num">Sessions</th>
                  <th scope="col">Policy version</th>
                  <th scope="col">Last heartbeat</th>
                </tr>
              </thead>
              <tbody>
                {list.map((w) => {
                  const want = poolVersion.get(w.pool);
                  const stale = want !== undefined && w.policyVersion < want;
                  const age = now - Date.parse(w.lastSeen);
                  return (
                    <tr key={w.id}>
                      <td className="mono">{w.id}</td>
                      <td>{w.pool}</td>
                      <td>{w.region}</td>
                      <td className="mono">{w.address ?? '—'}</td>
                      <td className="num">{w.sessions}</td>
                      <td>
                        {w.policyVersion} {stale && <span className="pill pill-warn">behind v{want}</span>}
                      </td>
                      <td title={formatTime(w.lastSeen)}>
                        <span className={age > 30_000 ? 'inline-error' : undefined}>{ago(w.lastSeen, now)}</span>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </StateView>
    </section>
  );
}
