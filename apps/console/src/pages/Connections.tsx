import { gql } from '@urql/core';
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { useSession } from '../auth/session';
import { InlineError, StateView } from '../components/StateView';
import { ago, formatTime } from '../lib/time';

interface Connection {
  id: string;
  name: string;
  kind: string;
  host: string;
  port: number;
  database: string | null;
  pool: string;
  guardrails: string;
  masking: boolean;
  reviewTimeoutSeconds: number;
  credentials: Array<{ profile: string; username: string | null; rotatedAt: string }>;
  updatedAt: string;
}
interface Grant {
  id: string;
  subject: string;
  connection: string;
  profile: string;
  source: string;
  reason: string | null;
  expiresAt: string | null;
  grantedBy: string;
  createdAt: string;
}

const CONNECTIONS = gql`
  query Connections {
    connections { id name kind host port database pool guardrails masking reviewTimeoutSeconds credentials { profile username rotatedAt } updatedAt }
    workers { id pool lastSeen }
  }
`;
const GRANTS = gql`
  query Grants($connection: String) { accessGrants(connection: $connection) { id subject connection profile source reason expiresAt grantedBy createdAt } }
`;
const CREATE = gql`mutation CreateConnection($input: CreateConnectionInput!) { createConnection(input: $input) { id name } }`;
const UPDATE = gql`mutation UpdateConnection($input: UpdateConnectionInput!) { updateConnection(input: $input) { id name } }`;
const SET_POLICY = gql`mutation SetConnectionPolicy($input: SetConnectionPolicyInput!) { setConnectionPolicy(input: $input) { id guardrails masking reviewTimeoutSeconds } }`;
const GRANT = gql`mutation GrantAccess($input: GrantAccessInput!) { grantAccess(input: $input) { id } }`;
const REVOKE = gql`mutation RevokeAccess($input: RevokeAccessInput!) { revokeAccess(input: $input) { id } }`;

export default function Connections() {
  const { hasRole } = useSession();
  const admin = hasRole('ADMIN');
  const [{ data, fetching, error }, refetch] = useQuery<{ connections: Connection[]; workers: Array<{ id: string; pool: string; lastSeen: string }> }>({ query: CONNECTIONS, requestPolicy: 'cache-and-network' });
  const [editing, setEditing] = useState<Connection | 'new' | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const workersByPool = new Map<string, number>();
  for (const w of data?.workers ?? []) workersByPool.set(w.pool, (workersByPool.get(w.pool) ?? 0) + 1);
  const current = data?.connections.find((c) => c.name === selected);
  return (
    <section aria-labelledby="connections-title">
      <div className="page-head">
        <h1 id="connections-title">Connections</h1>
        {admin ? (
          <button type="button" className="btn" onClick={() => setEditing('new')}>
            Register connection
          </button>
        ) : (
          <span className="muted">Admins register and edit connections; you can see them and their grants.</span>
        )}
      </div>
      {editing && <ConnectionForm initial={editing === 'new' ? undefined : editing} onDone={() => (setEditing(null), reload())} />}
      <StateView what="Connections" fetching={fetching} error={error}>
        {data && data.connections.length === 0 && <p className="muted">No connections are registered yet.</p>}
        {data && data.connections.length > 0 && (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Target</th>
                  <th scope="col">Health</th>
                  <th scope="col">Guardrails</th>
                  <th scope="col">Masking</th>
                  <th scope="col">Review timeout</th>
                  <th scope="col">Credentials</th>
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.connections.map((c) => {
                  const live = workersByPool.get(c.pool) ?? 0;
                  return (
                    <tr key={c.id}>
                      <th scope="row">{c.name}</th>
                      <td>{c.kind}</td>
                      <td className="mono">
                        {c.host}:{c.port}
                        {c.database ? `/${c.database}` : ''}
                      </td>
                      <td>
                        <span className={`pill ${live ? 'pill-ok' : 'pill-bad'}`} title={`pool ${c.pool}`}>
                          {live ? `${live} worker${live > 1 ? 's' : ''} live` : 'no live worker'}
                        </span>
                      </td>
                      <td>{c.guardrails}</td>
                      <td>{c.masking ? 'on' : 'off'}</td>
                      <td>{c.reviewTimeoutSeconds}s</td>
                      <td>{c.credentials.map((p) => `${p.profile}${p.username ? ` (${p.username})` : ''}`).join(', ')}</td>
                      <td>
                        <div className="row">
                          <button type="button" className="btn btn-quiet" aria-pressed={selected === c.name} onClick={() => setSelected(selected === c.name ? null : c.name)}>
                            Policy &amp; grants
                          </button>
                          {admin && (
                            <button type="button" className="btn btn-quiet" onClick={() => setEditing(c)}>
                              Edit
                            </button>
                          )}
                        </div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </StateView>
      {current && (
        <div className="card-grid" style={{ marginTop: '1rem' }}>
          <PolicyForm key={current.id} c={current} admin={admin} onDone={reload} />
          <Grants connection={current} admin={admin} />
        </div>
      )}
    </section>
  );
}

function ConnectionForm({ initial, onDone }: { initial?: Connection; onDone(): void }) {
  const [f, setF] = useState({
    name: initial?.name ?? '',
    kind: initial?.kind ?? 'POSTGRES',
    host: initial?.host ?? '',
    port: String(initial?.port ?? 5432),
    database: initial?.database ?? '',
    pool: initial?.pool ?? 'default',
    profile: initial?.credentials[0]?.profile ?? 'readonly',
    username: initial?.credentials[0]?.username ?? '',
    password: '',
  });
  const [created, create] = useMutation(CREATE);
  const [updated, update] = useMutation(UPDATE);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    // The secret is write-only: sent when typed, never read back; an empty field keeps the stored one.
    const credentials = [{ profile: f.profile, username: f.username || undefined, password: f.password || undefined }];
    const common = { host: f.host, port: Number(f.port), database: f.database || undefined, pool: f.pool, kind: f.kind };
    const res = initial ? await update({ input: { name: f.name, ...common, credentials } }) : await create({ input: { name: f.name, ...common, credentials } });
    if (!res.error) onDone();
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="conn-form-title">
      <h2 id="conn-form-title" style={{ marginTop: 0 }}>
        {initial ? `Edit ${initial.name}` : 'Register a connection'}
      </h2>
      <div className="form-grid">
        <label className="field">
          Name
          <input required value={f.name} onChange={set('name')} readOnly={!!initial} />
        </label>
        <label className="field">
          Kind
          <select value={f.kind} onChange={set('kind')}>
            <option>POSTGRES</option>
            <option>SSH</option>
            <option>KUBERNETES</option>
            <option>HTTP</option>
          </select>
        </label>
        <label className="field">
          Host
          <input required value={f.host} onChange={set('host')} />
        </label>
        <label className="field">
          Port
          <input required type="number" min={1} max={65535} value={f.port} onChange={set('port')} />
        </label>
        <label className="field">
          Database
          <input value={f.database} onChange={set('database')} />
        </label>
        <label className="field">
          Worker pool
          <input value={f.pool} onChange={set('pool')} />
        </label>
        <label className="field">
          Credential profile
          <input required value={f.profile} onChange={set('profile')} />
        </label>
        <label className="field">
          Username
          <input value={f.username} onChange={set('username')} autoComplete="off" />
        </label>
        <label className="field">
          Password (write-only)
          <input type="password" value={f.password} onChange={set('password')} autoComplete="new-password" placeholder={initial ? 'unchanged' : ''} />
        </label>
      </div>
      <div className="row" style={{ marginTop: '0.75rem' }}>
        <button className="btn" disabled={created.fetching || updated.fetching}>
          {initial ? 'Save' : 'Register'}
        </button>
        <button type="button" className="btn btn-quiet" onClick={onDone}>
          Cancel
        </button>
      </div>
      <InlineError error={created.error ?? updated.error} />
    </form>
  );
}

function PolicyForm({ c, admin, onDone }: { c: Connection; admin: boolean; onDone(): void }) {
  const [guardrails, setGuardrails] = useState(c.guardrails);
  const [masking, setMasking] = useState(c.masking);
  const [timeout, setTimeoutS] = useState(String(c.reviewTimeoutSeconds));
  const [res, setPolicy] = useMutation(SET_POLICY);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await setPolicy({ input: { connection: c.name, guardrails, masking, reviewTimeoutSeconds: Number(timeout) } });
    if (!r.error) onDone();
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="policy-title">
      <h2 id="policy-title" style={{ marginTop: 0 }}>
        Policy for {c.name}
      </h2>
      {!admin && <p className="muted">Read-only: admins change a connection's policy.</p>}
      <fieldset disabled={!admin}>
        <legend>Guardrails and masking</legend>
        <div className="form-grid">
          <label className="field">
            Guardrail preset
            <select value={guardrails} onChange={(e) => setGuardrails(e.target.value)}>
              <option value="STANDARD">Standard</option>
              <option value="PERMISSIVE">Permissive</option>
              <option value="CUSTOM">Custom rules</option>
            </select>
          </label>
          <label className="field">
            Review timeout (s)
            <input type="number" min={5} value={timeout} onChange={(e) => setTimeoutS(e.target.value)} />
          </label>
          <label className="check">
            <input type="checkbox" checked={masking} onChange={(e) => setMasking(e.target.checked)} /> Mask results
          </label>
        </div>
      </fieldset>
      {admin && <button className="btn" disabled={res.fetching}>Save policy</button>}
      {res.data && !res.error && <p role="status" className="ok-text">Saved. Workers pick it up with the next policy version.</p>}
      <InlineError error={res.error} />
    </form>
  );
}

function Grants({ connection, admin }: { connection: Connection; admin: boolean }) {
  const [{ data, fetching, error }, refetch] = useQuery<{ accessGrants: Grant[] }>({ query: GRANTS, variables: { connection: connection.name }, requestPolicy: 'cache-and-network' });
  const [granted, grant] = useMutation(GRANT);
  const [revoked, revoke] = useMutation(REVOKE);
  const [f, setF] = useState({ subject: '', profile: '', expiresAt: '', reason: '' });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = await grant({ input: { connection: connection.name, subject: f.subject, profile: f.profile || undefined, reason: f.reason || undefined, expiresAt: f.expiresAt ? new Date(f.expiresAt).toISOString() : undefined } });
    if (!r.error) {
      setF({ subject: '', profile: '', expiresAt: '', reason: '' });
      refetch({ requestPolicy: 'network-only' });
    }
  };
  return (
    <div className="card" aria-labelledby="grants-title">
      <h2 id="grants-title" style={{ marginTop: 0 }}>
        Grants on {connection.name}
      </h2>
      <StateView what="Grants" fetching={fetching} error={error}>
        {data && data.accessGrants.length === 0 && <p className="muted">Nobody has access.</p>}
        {data && data.accessGrants.length > 0 && (
          <div className="table-wrap">
          <table className="data">
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Profile</th>
                <th scope="col">Expires</th>
                <th scope="col">By</th>
                {admin && (
                  <th scope="col">
                    <span className="sr-only">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {data.accessGrants.map((g) => (
                <tr key={g.id}>
                  <td title={g.reason ?? undefined}>{g.subject}</td>
                  <td>{g.profile}</td>
                  <td title={formatTime(g.expiresAt)}>{g.expiresAt ? ago(g.expiresAt) : 'standing'}</td>
                  <td>{g.grantedBy}</td>
                  {admin && (
                    <td>
                      <button type="button" className="btn btn-quiet" onClick={() => void revoke({ input: { id: g.id } }).then(() => refetch({ requestPolicy: 'network-only' }))}>
                        Revoke
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        )}
      </StateView>
      {admin && (
        <form onSubmit={submit} className="form-grid" style={{ marginTop: '0.75rem' }} aria-label="Grant access">
          <label className="field">
            Subject
            <input required value={f.subject} onChange={(e) => setF({ ...f, subject: e.target.value })} placeholder="user:alice@example.com" />
          </label>
          <label className="field">
            Profile
            <input value={f.profile} onChange={(e) => setF({ ...f, profile: e.target.value })} placeholder="readonly" />
          </label>
          <label className="field">
            Expires
            <input type="datetime-local" value={f.expiresAt} onChange={(e) => setF({ ...f, expiresAt: e.target.value })} />
          </label>
          <label className="field">
            Reason
            <input value={f.reason} onChange={(e) => setF({ ...f, reason: e.target.value })} />
          </label>
          <button className="btn">Grant</button>
        </form>
      )}
      <InlineError error={granted.error ?? revoked.error} />
    </div>
  );
}
