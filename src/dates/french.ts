// The one place that turns instants into the French a person reads on staff pages: Paris time,
// « 1er » for the first of the month, « 12 h 59 » for times (not 12:59, not UTC ISO strings).

const TZ = 'Europe/Paris';

const partsFormat = {
  short: new Intl.DateTimeFormat('fr-FR', { timeZone: TZ, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
  long: new Intl.DateTimeFormat('fr-FR', { timeZone: TZ, day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
};

export type DateInput = Date | string | number;

/**
 * Reads what the database holds: a Date, epoch milliseconds, an ISO instant
 * ("2026-12-01T11:59:10.804Z"), a UTC day ("2026-12-01") or a UTC hour ("2026-11-22T14", the
 * coarse times of responses). Invalid → null.
 */
export function toDate(value: DateInput | null | undefined): Date | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'number') return new Date(value);
  let s = value.trim();
  if (/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(s)) s += ':00:00Z';
  else if (/^\d{4}-\d{2}-\d{2}$/.test(s)) s += 'T12:00:00Z'; // a day: noon UTC is the same day in Paris
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) s += 'Z';
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

type Parts = { day: string; month: string; year: string; hour: string; minute: string };
function parts(d: Date, month: 'short' | 'long'): Parts {
  const p = Object.fromEntries(partsFormat[month].formatToParts(d).map((x) => [x.type, x.value])) as Parts;
  return p;
}

const dayText = (p: Parts) => `${p.day === '1' ? '1er' : p.day}\u00a0${p.month} ${p.year}`;
// No-break spaces: « 18 h 00 » never splits across two lines.
const timeText = (p: Parts) => `${Number(p.hour)}\u00a0h\u00a0${p.minute}`;

/** « 1er déc. 2026 » (month: 'long' → « 1er décembre 2026 »). Empty string for no date. */
export function frenchDay(value: DateInput | null | undefined, month: 'short' | 'long' = 'short'): string {
  const d = toDate(value);
  return d ? dayText(parts(d, month)) : '';
}

/** « 1er déc. 2026 à 12 h 59 ». */
export function frenchDateTime(value: DateInput | null | undefined, month: 'short' | 'long' = 'short'): string {
  const d = toDate(value);
  if (!d) return '';
  const p = parts(d, month);
  return `${dayText(p)} à ${timeText(p)}`;
}

/** The day, plus the time unless it is midnight in Paris (campaign dates set as a bare day). */
export function frenchDateMaybeTime(value: DateInput | null | undefined, month: 'short' | 'long' = 'long'): string {
  const d = toDate(value);
  if (!d) return '';
  const p = parts(d, month);
  return p.hour === '00' && p.minute === '00' ? dayText(p) : `${dayText(p)} à ${timeText(p)}`;
}

/** A response's coarse hour ("2026-11-22T14"), as its day only: « 22 nov. 2026 ». */
export function frenchResponseDay(hour: string | null | undefined): string {
  return hour ? frenchDay(hour.slice(0, 10)) : '';
}

/** Machine-readable value for a <time datetime> attribute. */
export function isoOf(value: DateInput | null | undefined): string {
  return toDate(value)?.toISOString() ?? '';
}
