import { gql } from '@urql/core';
import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { HBars, StackedBars } from '../components/Charts';
import { StateView } from '../components/StateView';
import { downloadText, toCsv } from '../lib/csv';
import { formatTime, isoDate } from '../lib/time';

interface Report {
  from: string;
  to: string;
  rows: Array<{ subject: string; connection: string; statements: number; allowed: number; blocked: number; held: number; sessions: number; lastUsed: string | null }>;
  daily: Array<{ day: string; allowed: number; blocked: number; held: number }>;
  unusedGrants: Array<{ subject: string; connection: string; profile: string; grantedAt: string }>;
}

const ACCESS_REVIEW = gql`
  query AccessReview($from: DateTime!, $to: DateTime!, $connection: String, $subject: String) {
    accessReview(from: $from, to: $to, connection: $connection, subject: $subject) {
      from to
      rows { subject connection statements allowed blocked held sessions lastUsed }
      daily { day allowed blocked held }
      unusedGrants { subject connection profile grantedAt }
    }
  }
`;

export default function AccessReview() {
  const today = new Date();
  const [form, setForm] = useState({ from: isoDate(new Date(today.getTime() - 30 * 86400_000)), to: isoDate(today), connection: '', subject: '' });
  const [applied, setApplied] = useState(form);
  const variables = {
    from: new Date(`${applied.from}T00:00:00`).toISOString(),
    to: new Date(`${applied.to}T23:59:59.999`).toISOString(),
    connection: applied.connection || null,
    subject: applied.subject || null,
  };
  const [{ data, fetching, error }] = useQuery<{ accessReview: Report }>({ query: ACCESS_REVIEW, variables, requestPolicy: 'cache-and-network' });
  const r = data?.accessReview;
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setApplied(form);
  };
  const exportCsv = () => {
    if (!r) return;
    const rows = [
      ['subject', 'connection', 'sessions', 'statements', 'allowed', 'blocked', 'held', 'last_used'],
      ...r.rows.map((x) => [x.subject, x.connection, x.sessions, x.statements, x.allowed, x.blocked, x.held, x.lastUsed ?? '']),
      [],
      ['unused_grant_subject', 'connection', 'profile', 'granted_at'],
      ...r.unusedGrants.map((g) => [g.subject, g.connection, g.profile, g.grantedAt]),
    ];
    downloadText(`airlock-access-review-${applied.from}-${applied.to}.csv`, toCsv(rows));
  };
  return (
    <section aria-labelledby="ar-title">
      <div className="page-head">
        <h1 id="ar-title">Access review</h1>
        <button type="button" className="btn btn-quiet" onClick={exportCsv} disabled={!r}>
          Export CSV
        </button>
      </div>
      <form className="card form-grid" onSubmit={apply} aria-label="Report period">
        <label className="field">
          From
          <input type="date" required value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} />
        </label>
        <label className="field">
          To
          <input type="date" required value={form.to} onChange={(e) => setForm({ ...form, to: e.target.value })} />
        </label>
        <label className="field">
          Connection
          <input value={form.connection} onChange={(e) => setForm({ ...form, connection: e.target.value })} placeholder="all" />
        </label>
        <label className="field">
          Subject
          <input value={form.subject} onChange={(e) => setForm({ ...form, subject: e.target.value })} placeholder="all" />
        </label>
        <button className="btn">Run report</button>
      </form>
      <StateView what="The access review report" fetching={fetching} error={error}>
        {r && (
          <>
            <div className="card-grid">
              <div className="card">
                <StackedBars
                  title="Statements per day"
                  labels={r.daily.map((d) => d.day.slice(5, 10))}
                  series={[
                    { label: 'Allowed', className: 'fill-ok', values: r.daily.map((d) => d.allowed) },
                    { label: 'Held', className: 'fill-warn', values: r.daily.map((d) => d.held) },
                    { label: 'Blocked', className: 'fill-bad', values: r.daily.map((d) => d.blocked) },
                  ]}
                />
              </div>
              <div className="card">
                <HBars
                  title="Blocked vs allowed"
                  items={[
                    { label: 'Allowed', value: r.rows.reduce((s, x) => s + x.allowed, 0), className: 'fill-ok' },
                    { label: 'Held for review', value: r.rows.reduce((s, x) => s + x.held, 0), className: 'fill-warn' },
                    { label: 'Blocked', value: r.rows.reduce((s, x) => s + x.blocked, 0), className: 'fill-bad' },
                  ]}
                />
                <HBars title="Unused grants per connection" items={countBy(r.unusedGrants.map((g) => g.connection))} />
              </div>
            </div>
            <h2>Per identity and connection</h2>
            {r.rows.length === 0 ? (
              <p className="muted">No activity in this period.</p>
            ) : (
              <div className="table-wrap">
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">Subject</th>
                      <th scope="col">Connection</th>
                      <th scope="col" className="num">Sessions</th>
                      <th scope="col" className="num">Statements</th>
                      <th scope="col" className="num">Allowed</th>
                      <th scope="col" className="num">Held</th>
                      <th scope="col" className="num">Blocked</th>
                      <th scope="col">Last used</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.rows.map((x) => (
                      <tr key={`${x.subject}/${x.connection}`}>
                        <td>{x.subject}</td>
                        <td>{x.connection}</td>
                        <td className="num">{x.sessions}</td>
                        <td className="num">{x.statements}</td>
                        <td className="num">{x.allowed}</td>
                        <td className="num">{x.held}</td>
                        <td className="num">{x.blocked}</td>
                        <td>{formatTime(x.lastUsed)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <h2>Unused grants</h2>
            {r.unusedGrants.length === 0 ? (
              <p className="muted">Every grant was used in this period.</p>
            ) : (
              <ul>
                {r.unusedGrants.map((g) => (
                  <li key={`${g.subject}/${g.connection}/${g.profile}`}>
                    {g.subject} — {g.connection} ({g.profile}), granted {formatTime(g.grantedAt)}
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </StateView>
    </section>
  );
}

function countBy(keys: string[]): Array<{ label: string; value: number }> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m].map(([label, value]) => ({ label, value }));
}
