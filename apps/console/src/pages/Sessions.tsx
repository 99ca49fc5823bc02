import { useState, type FormEvent } from 'react';
import { gql } from '@urql/core';
import { useQuery } from 'urql';
import { StateView } from '../components/StateView';
import { Link, useRouter } from '../lib/router';
import { duration, formatTime } from '../lib/time';

export interface SessionSummary {
  id: string;
  identity: string;
  connection: string;
  startedAt: string;
  endedAt: string | null;
  statements: number;
  blocked: number;
}

const SESSIONS = gql`
  query Sessions($filter: SessionFilter, $first: Int, $after: String) {
    sessions(filter: $filter, first: $first, after: $after) {
      nodes { id identity connection startedAt endedAt statements blocked }
      endCursor hasNextPage
    }
  }
`;

const FILTERS = ['identity', 'connection', 'verdict', 'text', 'from', 'to'] as const;

export default function Sessions() {
  const { search, navigate } = useRouter();
  const initial = Object.fromEntries(FILTERS.map((k) => [k, search.get(k) ?? '']));
  const [form, setForm] = useState<Record<string, string>>(initial);
  const [after, setAfter] = useState<string[]>([]);
  const filter = Object.fromEntries(
    FILTERS.filter((k) => initial[k]).map((k) => [k, k === 'from' || k === 'to' ? new Date(initial[k]).toISOString() : initial[k]]),
  );
  const [{ data, fetching, error }] = useQuery<{ sessions: { nodes: SessionSummary[]; hasNextPage: boolean; endCursor: string | null } }>({
    query: SESSIONS,
    variables: { filter, first: 50, after: after.at(-1) ?? null },
    requestPolicy: 'cache-and-network',
  });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const q = new URLSearchParams(Object.entries(form).filter(([, v]) => v));
    setAfter([]);
    navigate(`/sessions${q.size ? `?${q}` : ''}`);
  };
  const set = (k: string) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  return (
    <section aria-labelledby="sessions-title">
      <h1 id="sessions-title">Sessions</h1>
      <form className="card form-grid" onSubmit={apply} aria-label="Filter sessions">
        <label className="field">
          Identity
          <input value={form.identity} onChange={set('identity')} placeholder="user:alice@… or sa:…" />
        </label>
        <label className="field">
          Connection
          <input value={form.connection} onChange={set('connection')} />
        </label>
        <label className="field">
          Verdict
          <select value={form.verdict} onChange={set('verdict')}>
            <option value="">Any</option>
            <option value="ALLOW">Allowed</option>
            <option value="BLOCK">Blocked</option>
            <option value="REVIEW">Held for review</option>
          </select>
        </label>
        <label className="field">
          Statement text
          <input value={form.text} onChange={set('text')} placeholder="e.g. UPDATE users" />
        </label>
        <label className="field">
          From
          <input type="datetime-local" value={form.from} onChange={set('from')} />
        </label>
        <label className="field">
          To
          <input type="datetime-local" value={form.to} onChange={set('to')} />
        </label>
        <button className="btn">Filter</button>
      </form>
      <StateView what="Session recordings" fetching={fetching} error={error}>
        {data && data.sessions.nodes.length === 0 && <p className="muted">No sessions match.</p>}
        {data && data.sessions.nodes.length > 0 && (
          <div className="table-wrap">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Started</th>
                  <th scope="col">Identity</th>
                  <th scope="col">Connection</th>
                  <th scope="col">Duration</th>
                  <th scope="col" className="num">Statements</th>
                  <th scope="col" className="num">Blocked</th>
                </tr>
              </thead>
              <tbody>
                {data.sessions.nodes.map((s) => (
                  <tr key={s.id}>
                    <td>
                      <Link to={`/sessions/${encodeURIComponent(s.id)}`}>{formatTime(s.startedAt)}</Link>
                    </td>
                    <td>{s.identity}</td>
                    <td>{s.connection}</td>
                    <td>{s.endedAt ? duration(Date.parse(s.endedAt) - Date.parse(s.startedAt)) : <span className="pill pill-ok">LIVE</span>}</td>
                    <td className="num">{s.statements}</td>
                    <td className="num">{s.blocked ? <span className="pill pill-block">{s.blocked}</span> : 0}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="row" style={{ marginTop: '0.6rem' }}>
          <button type="button" className="btn btn-quiet" disabled={!after.length} onClick={() => setAfter(after.slice(0, -1))}>
            Newer
          </button>
          <button type="button" className="btn btn-quiet" disabled={!data?.sessions.hasNextPage} onClick={() => setAfter([...after, data?.sessions.endCursor ?? ''])}>
            Older
          </button>
        </div>
      </StateView>
    </section>
  );
}
