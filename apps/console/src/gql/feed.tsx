import { useEffect, useRef, useState, createContext, useContext, type ReactNode } from 'react';
import { type CombinedError } from '@urql/core';
import { useQuery, useSubscription } from 'urql';
import { chime } from '../lib/sound';
import { PENDING_REVIEWS, REVIEW_REQUESTED, type ReviewRequest } from './reviews';

interface FeedValue {
  pending: ReviewRequest[];
  fetching: boolean;
  error?: CombinedError;
  liveError?: CombinedError;
  refresh(): void;
  drop(id: string): void;
  announcement: string;
}

const FeedContext = createContext<FeedValue>({ pending: [], fetching: false, refresh: () => undefined, drop: () => undefined, announcement: '' });
export const useReviewFeed = () => useContext(FeedContext);

/**
 * Pending reviews for the whole console: the list from `reviewRequests`,
 * new ones pushed by the `reviewRequested` subscription. Drives the title
 * badge, the chime and the aria-live announcement on every page.
 */
export function ReviewFeedProvider({ enabled, children }: { enabled: boolean; children: ReactNode }) {
  const [{ data, fetching, error }, reexecute] = useQuery<{ reviewRequests: ReviewRequest[] }>({ query: PENDING_REVIEWS, pause: !enabled, requestPolicy: 'network-only' });
  const unavailable = !!error;
  const [dropped, setDropped] = useState<Set<string>>(new Set());
  const [announcement, setAnnouncement] = useState('');
  const [{ data: live = [], error: liveError }] = useSubscription<{ reviewRequested: ReviewRequest }, ReviewRequest[]>(
    { query: REVIEW_REQUESTED, pause: !enabled || unavailable },
    (prev = [], next) => [next.reviewRequested, ...prev.filter((p) => p.id !== next.reviewRequested.id)],
  );
  const newest = live[0];
  useEffect(() => {
    if (!newest) return;
    setAnnouncement(`New ${newest.kind === 'ACCESS' ? 'access request' : 'review request'} from ${newest.requester} on ${newest.connection}`);
    chime();
    // Only a new arrival chimes, not a re-render.
  }, [newest?.id]);

  // Re-sync every 15 s: decisions by other approvers and time-outs are not pushed.
  const reexec = useRef(reexecute);
  reexec.current = reexecute;
  useEffect(() => {
    if (!enabled || unavailable) return;
    const t = setInterval(() => reexec.current({ requestPolicy: 'network-only' }), 15_000);
    return () => clearInterval(t);
  }, [enabled, unavailable]);

  const byId = new Map<string, ReviewRequest>();
  for (const r of [...live, ...(data?.reviewRequests ?? [])]) if (!dropped.has(r.id) && !byId.has(r.id) && Date.parse(r.expiresAt) > Date.now()) byId.set(r.id, r);
  const pending = [...byId.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));

  useEffect(() => {
    const base = document.title.replace(/^\(\d+\) /, '');
    document.title = pending.length ? `(${pending.length}) ${base}` : base;
  }, [pending.length]);

  const value: FeedValue = {
    pending,
    fetching,
    error,
    liveError,
    announcement,
    refresh: () => reexecute({ requestPolicy: 'network-only' }),
    drop: (id) => {
      setDropped((s) => new Set(s).add(id));
    },
  };
  return <FeedContext.Provider value={value}>{children}</FeedContext.Provider>;
}
