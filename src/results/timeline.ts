// Responses over time as a continuous series: every day (or week, or month) of the window gets a
// point, zeros included, so that a chart on it reads as time (no jump from one active day to the
// next one months later). Plain functions on "YYYY-MM-DD" strings, all in UTC like the stored hours.

export type TimeUnit = 'day' | 'week' | 'month';

export type TimePoint = {
  /** First day of the bucket, "YYYY-MM-DD". */
  start: string;
  n: number;
  /** Responses up to the end of this bucket, within the window. */
  cumulative: number;
};

export type Timeline = {
  unit: TimeUnit;
  /** First and last day shown (inclusive). */
  from: string;
  to: string;
  points: TimePoint[];
  /** Responses of the input that fall outside [from, to] (outside the campaign's window). */
  outside: number;
};

/** Days without any response that split the responses into separate periods (see mainPeriod). */
export const GAP_DAYS = 30;

/**
 * Without a campaign window: the period (responses separated by less than GAP_DAYS) that holds
 * the most responses. Test responses months before the campaign, or a straggler years after it,
 * would otherwise squeeze the whole campaign into one bar.
 */
export function mainPeriod(days: { day: string; n: number }[]): { from: string; to: string } {
  let best = { from: days[0].day, to: days[0].day, n: 0 };
  let cur = { from: days[0].day, to: days[0].day, n: 0 };
  for (const d of days) {
    if (daysBetween(cur.to, d.day) > GAP_DAYS) cur = { from: d.day, to: d.day, n: 0 };
    cur.to = d.day;
    cur.n += d.n;
    if (cur.n > best.n) best = { ...cur };
  }
  return { from: best.from, to: best.to };
}

/** Longest span drawn per day, then per week; longer spans are drawn per month. */
export const MAX_DAYS = 92;
export const MAX_WEEKS = 104;

const DAY_MS = 86_400_000;
const toMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
const toDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const addDays = (day: string, k: number) => toDay(toMs(day) + k * DAY_MS);
export const daysBetween = (a: string, b: string) => Math.round((toMs(b) - toMs(a)) / DAY_MS);

/** Monday of the week of `day` (French weeks start on Monday). */
export function weekStart(day: string): string {
  const dow = (new Date(toMs(day)).getUTCDay() + 6) % 7;
  return addDays(day, -dow);
}

export const monthStart = (day: string) => `${day.slice(0, 7)}-01`;

function nextBucket(start: string, unit: TimeUnit): string {
  if (unit === 'day') return addDays(start, 1);
  if (unit === 'week') return addDays(start, 7);
  const [y, m] = start.split('-').map(Number);
  return toDay(Date.UTC(y, m, 1));
}

export type TimelineOptions = {
  /** Window asked for (the filter's dates, else the campaign's); each bound optional. */
  windowFrom?: string;
  windowTo?: string;
  /** Today, "YYYY-MM-DD": a window still open is drawn up to today, not to its closing day. */
  today?: string;
};

/**
 * The window: the asked bounds, else the main period of the responses; an end after the last
 * response is clipped to the later of today and that response. The unit follows the window's length.
 */
export function buildTimeline(perDay: { day: string; n: number }[], opts: TimelineOptions = {}): Timeline | null {
  const days = [...perDay].filter((d) => d.n > 0).sort((a, b) => a.day.localeCompare(b.day));
  if (!days.length) return null;
  const first = days[0].day;
  const last = days[days.length - 1].day;
  const main = opts.windowFrom || opts.windowTo ? { from: first, to: last } : mainPeriod(days);
  let from = opts.windowFrom ?? main.from;
  let to = opts.windowTo ?? main.to;
  const latest = opts.today && opts.today > last ? opts.today : last;
  if (to > latest) to = latest;
  if (from > to) {
    // Nothing of the data inside the asked window: show the data itself rather than nothing.
    from = first;
    to = last;
  }
  const span = daysBetween(from, to) + 1;
  const unit: TimeUnit = span <= MAX_DAYS ? 'day' : span <= MAX_WEEKS * 7 ? 'week' : 'month';
  const bucketOf = (day: string) => (unit === 'day' ? day : unit === 'week' ? weekStart(day) : monthStart(day));
  const counts = new Map<string, number>();
  let outside = 0;
  for (const d of days) {
    if (d.day < from || d.day > to) {
      outside += d.n;
      continue;
    }
    const b = bucketOf(d.day);
    counts.set(b, (counts.get(b) ?? 0) + d.n);
  }
  const points: TimePoint[] = [];
  let cumulative = 0;
  for (let b = bucketOf(from); b <= to; b = nextBucket(b, unit)) {
    const n = counts.get(b) ?? 0;
    cumulative += n;
    points.push({ start: b, n, cumulative });
  }
  return { unit, from, to, points, outside };
}

const shortDate = new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const monthYear = new Intl.DateTimeFormat('fr-FR', { month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "25 nov. 2022", "1er déc. 2022" (French typography writes the first of the month « 1er »). */
export function shortFrenchDate(day: string): string {
  const s = shortDate.format(new Date(toMs(day)));
  return s.replace(/^1 /, '1er ');
}

/** "nov. 2022". */
export const frenchMonth = (day: string) => monthYear.format(new Date(toMs(day)));
