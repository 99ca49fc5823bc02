import { gql } from '@urql/core';
import { useState } from 'react';
import { useQuery } from 'urql';
import { SqlCode } from '../components/SqlCode';
import { InlineError, StateView } from '../components/StateView';
import { useSession } from '../auth/session';
import { Link } from '../lib/router';
import { formatTime } from '../lib/time';

interface SessionEvent {
  seq: number;
  kind: string;
  at: string;
  sql: string | null;
  statementKind: string | null;
  verdict: string | null;
  rule: string | null;
  durationMs: number | null;
  rows: number | null;
  errorCode: string | null;
  masked: Array<{ type: string; count: number }>;
  approver: string | null;
  reviewId: string | null;
  status: string | null;
  reason: string | null;
  /** The recorded event as canonical JSON: bind parameters and the masked result sample live here. */
  detail: string;
}

type Sample = { columns: string[]; rows: Array<Array<string | null>> };
interface Detail {
  params?: Array<string | null>;
  sample?: Sample | null;
  reason?: string;
}

const SESSION = gql`
  query Session($id: ID!) {
    session(id: $id) {
      id identity connection profile startedAt endedAt endReason statements blocked
      events { seq kind at sql statementKind verdict rule durationMs rows errorCode masked { type count } approver reviewId status reason detail }
    }
  }
`;
const VERIFY = gql`
  query VerifySession($id: ID!) { verifySession(id: $id) { ok firstBrokenSeq checked anchored } }
`;

function parseDetail(detail: string): Detail {
  try {
    return JSON.parse(detail) as Detail;
  } catch {
    return {};
  }
}

export default function SessionReplay({ params }: { params: Record<string, string> }) {
  const id = params.id;
  const [{ data, fetching, error }] = useQuery<{ session: { id: string; identity: string; connection: string; profile: string; startedAt: string; endedAt: string | null; endReason: string | null; events: SessionEvent[] } }>({ query: SESSION, variables: { id } });
  const { hasRole } = useSession();
  // verifySession is for auditors (and admins); an approver reads the replay without the button.
  const canVerify = hasRole('ADMIN', 'AUDITOR');
  const [verifyOn, setVerifyOn] = useState(false);
  const [verified] = useQuery<{ verifySession: { ok: boolean; firstBrokenSeq: number | null; checked: number; anchored: boolean } }>({ query: VERIFY, variables: { id }, pause: !verifyOn, requestPolicy: 'network-only' });
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
                <dd>
                  {s.connection} <span className="muted">as {s.profile}</span>
                </dd>
                <dt>Started</dt>
                <dd>{formatTime(s.startedAt)}</dd>
                <dt>Ended</dt>
                <dd>{s.endedAt ? `${formatTime(s.endedAt)}${s.endReason ? ` (${s.endReason})` : ''}` : 'still open'}</dd>
                <dt>Statements</dt>
                <dd>
                  {statements.length} — {statements.filter((e) => e.verdict === 'BLOCK').length} blocked, {statements.filter((e) => e.verdict === 'REVIEW').length} held
                </dd>
              </dl>
              {canVerify && (
                <div className="row">
                  <button type="button" className="btn btn-quiet" onClick={() => setVerifyOn(true)} disabled={verified.fetching}>
                    Verify recording integrity
                  </button>
                  {verified.data && (
                    <span role="status" className={verified.data.verifySession.ok ? 'ok-text' : 'inline-error'}>
                      {verified.data.verifySession.ok
                        ? `✓ Hash chain intact over ${verified.data.verifySession.checked} events${verified.data.verifySession.anchored ? ', anchored in the audit chain' : ''}`
                        : `✗ Chain broken at event #${verified.data.verifySession.firstBrokenSeq ?? '?'}`}
                    </span>
                  )}
                </div>
              )}
              <InlineError error={verified.error} />
            </div>
            <h2>Timeline</h2>
            <ol className="timeline" aria-label="Session events">
              {s.events.map((e) => (
                <EventItem key={e.seq} e={e} />
              ))}
            </ol>
            {/* SSH asciicast playback and HTTP request lists render here once those protocols record. */}
          </>
        )}
      </StateView>
    </section>
  );
}

function EventItem({ e }: { e: SessionEvent }) {
  const v = (e.verdict ?? '').toLowerCase();
  const masked = e.masked.filter((m) => m.count > 0).map((m) => [m.type, m.count] as const);
  const extra = parseDetail(e.detail);
  const sample = extra.sample;
  return (
    <li className={v ? `v-${v}` : undefined} data-verdict={e.verdict ?? undefined}>
      <div className="card">
        <div className="row">
          <span className="mono muted">#{e.seq}</span>
          <strong>{e.kind === 'statement' && e.statementKind ? e.statementKind : e.kind}</strong>
          {e.kind === 'review' && e.status && <span className={`pill pill-${e.status.toLowerCase()}`}>{e.status}</span>}
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
        {e.kind !== 'statement' && (e.approver || e.reason) && (
          <p>
            {e.approver && (
              <>
                by <span data-testid="approver">{e.approver}</span>
              </>
            )}
            {e.reason && <span className="muted"> — {e.reason}</span>}
          </p>
        )}
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
