const ISO = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

/** Seconds from "3600" or an ISO-8601 duration of days/hours/minutes/seconds ("PT1H", "P1DT30M"); null when neither. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const m = ISO.exec(t);
  if (!m || t.toUpperCase() === 'P' || t.toUpperCase().endsWith('T')) return null;
  const [, d, h, min, s] = m;
  return Math.round(Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0));
}
