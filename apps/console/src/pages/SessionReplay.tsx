import { gql } from '@urql/core';
import { useMutation, useQuery } from 'urql';
import { SqlCode } from '../components/SqlCode';
import { InlineError, StateView } from '../components/StateView';
import { Link } from '../lib/router';
import { formatTime } from '../lib/time';

interface SessionEvent {
  seq: number;
  kind: string;
  at: string;
  sql: string | null;
  verdict: string | null;
  rule: string | null;
  durationMs: number | null;
  rows: number | null;
  errorCode: string | null;
  masked: unknown;
  approver: string | null;
  reviewId: string | null;
}

interface Extras {
  seq: number;
  params: Array<string | null> | null;
  sample: Sample | string | null;
}
type Sample = { columns: string[]; rows: Array<Array<string | null>> };

const SESSION = gql`
  query Session($id: ID!) {
    session(id: $id) {
      id identity connection startedAt endedAt
      events { seq kind at sql verdict rule durationMs rows errorCode masked approver reviewId }
    }
  }
`;
// Optional fields asked separately: a server without them still replays the timeline.
const EXTRAS = gql`
  query SessionExtras($id: ID!) { session(id: $id) { id events { seq params sample } } }
`;
const VERIFY = gql`
  mutation VerifySession($id: ID!) { verifySession(id: $id) { valid reason } }
`;

export function maskedCounts(masked: unknown): Array<[string, number]> {
  let m = masked;
  if (typeof m === 'string') {
    try {
      m = JSON.parse(m);
    } catch {
      return [];
    }
  }
  if (Array.isArray(m)) return m.map((x: { entity?: string; name?: string; count?: number }) => [x.entity ?? x.name ?? '?', x.count ?? 0] as [string, number]).filter(([, n]) => n > 0);
  if (m && typeof m === 'object') return Object.entries(m as Record<string, number>).filter(([, n]) => typeof n === 'number' && n > 0);
  return [];
}

export default function SessionReplay({ params }: { params: Record<string, string> }) {
  const id = params.id;
  const [{ data, fetching, error }] = useQuery<{ session: { id: string; identity: string; connection: string; startedAt: string; endedAt: string | null; events: SessionEvent[] } }>({ query: SESSION, variables: { id } });
  const [extras] = useQuery<{ session: { events: Extras[] } }>({ query: EXTRAS, variables: { id }, pause: !data });
  const [verified, verify] = useMutation<{ verifySession: { valid: boolean; reason: string | null } }>(VERIFY);
  const extra = new Map((extras.data?.session.events ?? []).map((e) => [e.seq, e]));
  const s = data?.session;
  const statements = s?.events.filter((e) => e.kind === 'statement') ?? [];
  return (
    <section aria-labelledby="replay-title">
      <p>
        <Link to="/sessions">← Sessions</Link>
      </p>
      <h1 id="replay-title">Session replay</h1>
      <StateView what="Session replay" fetching={fetching} error={error}>
        {s && (
          <>
            <div className="card">
              <dl className="meta">
                <dt>Session</dt>
                <dd className="mono">{s.id}</dd>
                <dt>Identity</dt>
                <dd>{s.identity}</dd>
                <dt>Connection</dt>
                <dd>{s.connection}</dd>
                <dt>Started</dt>
                <dd>{formatTime(s.startedAt)}</dd>
                <dt>Ended</dt>
                <dd>{s.endedAt ? formatTime(s.endedAt) : 'still open'}</dd>
                <dt>Statements</dt>
                <dd>
                  {statements.length} — {statements.filter((e) => e.verdict === 'BLOCK').length} blocked, {statements.filter((e) => e.verdict === 'REVIEW').length} held
                </dd>
              </dl>
              <div className="row">
                <button type="button" className="btn btn-quiet" onClick={() => void verify({ id })} disabled={verified.fetching}>
                  Verify recording integrity
                </button>
                {verified.data && (
                  <span role="status" className={verified.data.verifySession.valid ? 'ok-text' : 'inline-error'}>
                    {verified.data.verifySession.valid ? '✓ Hash chain intact' : `✗ ${verified.data.verifySession.reason ?? 'Chain broken'}`}
                  </span>
                )}
              </div>
              <InlineError error={verified.error} />
            </div>
            <h2>Timeline</h2>
            <ol className="timeline" aria-label="Session events">
              {s.events.map((e) => (
                <EventItem key={e.seq} e={e} extra={extra.get(e.seq)} />
              ))}
            </ol>
            {/* SSH asciicast playback and HTTP request lists render here once those protocols record. */}
          </>
        )}
      </StateView>
    </section>
  );
}

function EventItem({ e, extra }: { e: SessionEvent; extra?: Extras }) {
  const v = (e.verdict ?? '').toLowerCase();
  const masked = maskedCounts(e.masked);
  const sample: Sample | null | undefined = typeof extra?.sample === 'string' ? (JSON.parse(extra.sample) as Sample) : extra?.sample;
  return (
    <li className={v ? `v-${v}` : undefined} data-verdict={e.verdict ?? undefined}>
      <div className="card">
        <div className="row">
          <span className="mono muted">#{e.seq}</span>
          <strong>{e.kind}</strong>
          {e.verdict && <span className={`pill pill-${v}`}>{e.verdict === 'REVIEW' ? 'HELD' : e.verdict === 'BLOCK' ? 'BLOCKED' : 'ALLOWED'}</span>}
          {e.rule && <span className="muted">rule {e.rule}</span>}
          <span className="spacer" />
          <time className="muted" dateTime={e.at}>
            {formatTime(e.at)}
          </time>
        </div>
        {e.sql && <SqlCode sql={e.sql} />}
        {extra?.params && extra.params.length > 0 && (
          <p className="mono">
            params: {extra.params.map((p, i) => `$${i + 1}=${p ?? 'NULL'}`).join(', ')}
          </p>
        )}
        {e.kind === 'statement' && (
          <dl className="meta">
            <dt>Duration</dt>
            <dd>{e.durationMs != null ? `${e.durationMs.toFixed(1)} ms` : '—'}</dd>
            <dt>Rows</dt>
            <dd>{e.rows ?? '—'}</dd>
            {e.errorCode && (
              <>
                <dt>Error</dt>
                <dd className="mono">SQLSTATE {e.errorCode}</dd>
              </>
            )}
            {(e.approver || e.reviewId) && (
              <>
                <dt>Approved by</dt>
                <dd data-testid="approver">{e.approver ?? '—'}</dd>
              </>
            )}
            <dt>Masked</dt>
            <dd>{masked.length ? masked.map(([k, n]) => `${k} ×${n}`).join(', ') : 'nothing'}</dd>
          </dl>
        )}
        {e.kind !== 'statement' && e.approver && <p>by {e.approver}</p>}
        {sample && sample.columns.length > 0 && (
          <details>
            <summary>Masked result sample ({sample.rows.length} rows)</summary>
            <div className="table-wrap">
              <table className="data">
                <thead>
                  <tr>
                    {sample.columns.map((c) => (
                      <th key={c} scope="col">
                        {c}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {sample.rows.map((r, i) => (
                    <tr key={i}>
                      {r.map((c, j) => (
                        <td key={j} className="mono">
                          {c ?? 'NULL'}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        )}
      </div>
    </li>
  );
}
