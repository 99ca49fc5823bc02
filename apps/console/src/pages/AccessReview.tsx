import { gql } from '@urql/core';
import { useState, type FormEvent } from 'react';
import { useClient, useQuery } from 'urql';
import { HBars, StackedBars } from '../components/Charts';
import { StateView } from '../components/StateView';
import { downloadText, toCsv } from '../lib/csv';
import { formatTime, isoDate } from '../lib/time';

interface Row {
  subject: string;
  connection: string;
  sessions: number;
  statements: number;
  blocked: number;
  statementsByKind: Array<{ kind: string; count: number }>;
  grants: Array<{ id: string; profile: string; source: string; expiresAt: string | null; grantedAt: string; revokedAt: string | null; lastUsedAt: string | null; neverUsed: boolean }>;
  reviews: Array<{ reviewId: string; status: string; approvers: string[] }>;
  masked: Array<{ type: string; count: number }>;
}
interface Report {
  from: string;
  to: string;
  rows: Row[];
}

const ACCESS_REVIEW = gql`
  query AccessReview($from: DateTime!, $to: DateTime!, $connection: String, $subject: String) {
    accessReview(from: $from, to: $to, connection: $connection, subject: $subject) {
      from to
      rows {
        subject connection sessions statements blocked
        statementsByKind { kind count }
        grants { id profile source expiresAt grantedAt revokedAt lastUsedAt neverUsed }
        reviews { reviewId status approvers }
        masked { type count }
      }
    }
  }
`;
// Statements over time: the report has totals only, so the chart sums sessions by the day they started.
const TIMELINE = gql`
  query AccessReviewTimeline($filter: SessionFilter) { sessions(filter: $filter, first: 500) { nodes { id startedAt statements blocked } hasNextPage } }
`;
const EXPORT = gql`
  query AccessReviewExport($from: DateTime!, $to: DateTime!, $connection: String, $subject: String) {
    accessReviewExport(from: $from, to: $to, format: CSV, connection: $connection, subject: $subject)
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
  const client = useClient();
  const [{ data, fetching, error }] = useQuery<{ accessReview: Report }>({ query: ACCESS_REVIEW, variables, requestPolicy: 'cache-and-network' });
  const [timeline] = useQuery<{ sessions: { nodes: Array<{ id: string; startedAt: string; statements: number; blocked: number }>; hasNextPage: boolean } }>({
    query: TIMELINE,
    variables: { filter: { from: variables.from, to: variables.to, connection: variables.connection ?? undefined } },
    pause: !data,
  });
  const [exportError, setExportError] = useState<string>();
  const r = data?.accessReview;
  const days = dayBuckets(applied.from, applied.to, timeline.data?.sessions.nodes ?? []);
  const unused = (r?.rows ?? []).flatMap((x) => x.grants.filter((g) => g.neverUsed && !g.revokedAt).map((g) => ({ ...g, subject: x.subject, connection: x.connection })));
  const totals = (r?.rows ?? []).reduce((t, x) => ({ statements: t.statements + x.statements, blocked: t.blocked + x.blocked, held: t.held + x.reviews.length }), { statements: 0, blocked: 0, held: 0 });
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setApplied(form);
  };
  const exportCsv = async () => {
    setExportError(undefined);
    const filename = `airlock-access-review-${applied.from}-${applied.to}.csv`;
    const res = await client.query<{ accessReviewExport: string }>(EXPORT, variables, { requestPolicy: 'network-only' }).toPromise();
    if (res.data) return downloadText(filename, res.data.accessReviewExport);
    if (!r) return setExportError(res.error?.message ?? 'Nothing to export');
    // The server cannot export: build the same table here.
    const rows = [
      ['subject', 'connection', 'sessions', 'statements', 'blocked', 'reviews', 'grants_never_used'],
      ...r.rows.map((x) => [x.subject, x.connection, x.sessions, x.statements, x.blocked, x.reviews.length, x.grants.filter((g) => g.neverUsed).length]),
    ];
    downloadText(filename, toCsv(rows));
  };
  return (
    <section aria-labelledby="ar-title">
      <div className="page-head">
        <h1 id="ar-title">Access review</h1>
        <button type="button" className="btn btn-quiet" onClick={() => void exportCsv()} disabled={!r}>
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
            {exportError && <p className="inline-error" role="alert">{exportError}</p>}
            <div className="card-grid">
              <div className="card">
                {timeline.error ? (
                  <p className="muted">Statements over time need the sessions list: {timeline.error.message.replace(/^\[GraphQL\] /, '')}</p>
                ) : (
                  <StackedBars
                    title={`Statements per day${timeline.data?.sessions.hasNextPage ? ' (first 500 sessions)' : ''}`}
                    labels={days.map((d) => d.day.slice(5))}
                    series={[
                      { label: 'Allowed or held', className: 'fill-ok', values: days.map((d) => d.statements - d.blocked) },
                      { label: 'Blocked', className: 'fill-bad', values: days.map((d) => d.blocked) },
                    ]}
                  />
                )}
              </div>
              <div className="card">
                <HBars
                  title="Blocked vs allowed"
                  items={[
                    { label: 'Allowed', value: totals.statements - totals.blocked, className: 'fill-ok' },
                    { label: 'Blocked', value: totals.blocked, className: 'fill-bad' },
                    { label: 'Held for review', value: totals.held, className: 'fill-warn' },
                  ]}
                />
                <HBars title="Unused grants per connection" items={countBy(unused.map((g) => g.connection))} />
              </div>
            </div>
            <h2>Per identity and connection</h2>
            {r.rows.length === 0 ? (
              <p className="muted">No grants or activity in this period.</p>
            ) : (
              <div className="table-wrap">
                <table className="data">
                  <thead>
                    <tr>
                      <th scope="col">Subject</th>
                      <th scope="col">Connection</th>
                      <th scope="col">Grants</th>
                      <th scope="col" className="num">Sessions</th>
                      <th scope="col" className="num">Statements</th>
                      <th scope="col">By kind</th>
                      <th scope="col" className="num">Blocked</th>
                      <th scope="col" className="num">Reviews</th>
                      <th scope="col">Masked</th>
                    </tr>
                  </thead>
                  <tbody>
                    {r.rows.map((x) => (
                      <tr key={`${x.subject}/${x.connection}`}>
                        <td>{x.subject}</td>
                        <td>{x.connection}</td>
                        <td>
                          {x.grants.map((g) => (
                            <div key={g.id}>
                              {g.profile} <span className="muted">({g.source.toLowerCase().replace(/_/g, ' ')})</span>{' '}
                              {g.neverUsed ? <span className="pill pill-warn">never used</span> : <span className="muted">used {formatTime(g.lastUsedAt)}</span>}
                            </div>
                          ))}
                        </td>
                        <td className="num">{x.sessions}</td>
                        <td className="num">{x.statements}</td>
                        <td>{x.statementsByKind.map((k) => `${k.kind} ${k.count}`).join(', ') || '—'}</td>
                        <td className="num">{x.blocked ? <span className="pill pill-block">{x.blocked}</span> : 0}</td>
                        <td className="num">{x.reviews.length}</td>
                        <td>{x.masked.map((m) => `${m.type} ×${m.count}`).join(', ') || '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <h2>Unused grants</h2>
            {unused.length === 0 ? (
              <p className="muted">Every active grant was used in this period.</p>
            ) : (
              <ul>
                {unused.map((g) => (
                  <li key={g.id}>
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

function dayBuckets(from: string, to: string, sessions: Array<{ startedAt: string; statements: number; blocked: number }>) {
  const days: Array<{ day: string; statements: number; blocked: number }> = [];
  const index = new Map<string, number>();
  for (let d = new Date(`${from}T00:00:00Z`); d <= new Date(`${to}T00:00:00Z`) && days.length < 400; d = new Date(d.getTime() + 86400_000)) {
    index.set(isoDate(d), days.length);
    days.push({ day: isoDate(d), statements: 0, blocked: 0 });
  }
  for (const s of sessions) {
    const i = index.get(s.startedAt.slice(0, 10));
    if (i !== undefined) {
      days[i].statements += s.statements;
      days[i].blocked += s.blocked;
    }
  }
  return days;
}

function countBy(keys: string[]): Array<{ label: string; value: number }> {
  const m = new Map<string, number>();
  for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
  return [...m].map(([label, value]) => ({ label, value }));
}
