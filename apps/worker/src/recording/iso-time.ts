/**
 * `new Date(ms).toISOString()` for whole milliseconds, without the Date: the second's prefix is
 * formatted once and reused (one statement event each needs its start time, thousands a second,
 * and toISOString alone cost more than the rest of the event).
 */
export function isoTime(ms: number): string {
  const sec = Math.floor(ms / 1000);
  if (sec !== cachedSecond) {
    cachedSecond = sec;
    cachedPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
  }
  const milli = ms - sec * 1000;
  return cachedPrefix + (milli < 10 ? '00' : milli < 100 ? '0' : '') + milli + 'Z';
}

let cachedSecond = Number.NaN;
/** "YYYY-MM-DDTHH:MM:SS." of cachedSecond. */
let cachedPrefix = '';
