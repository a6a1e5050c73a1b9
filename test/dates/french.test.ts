import { describe, expect, it } from 'vitest';
import { frenchDateMaybeTime, frenchDateTime, frenchDay, frenchResponseDay, toDate } from '../../src/dates/french.js';

// No-break spaces keep « 12 h 59 » together; compared here with plain spaces.
const plain = (s: string) => s.replace(/\u00a0/g, ' ');

describe('French dates (Europe/Paris)', () => {
  it.each([
    // [input, short date and time]
    ['2026-12-01T11:59:10.804Z', '1er déc. 2026 à 12 h 59'],
    ['2026-11-30T23:30:00Z', '1er déc. 2026 à 0 h 30'], // already the 1st in Paris
    ['2026-07-14T08:05:00Z', '14 juil. 2026 à 10 h 05'], // summer time: UTC+2
    ['2026-02-09T06:00:00Z', '9 févr. 2026 à 7 h 00'],
    ['2026-12-01T11:59:10Z', '1er déc. 2026 à 12 h 59'], // journal format, no milliseconds
  ])('%s → %s', (input, expected) => {
    expect(plain(frenchDateTime(input))).toBe(expected);
  });

  it.each([
    ['2026-12-01', 'short', '1er déc. 2026'],
    ['2026-11-01', 'long', '1er novembre 2026'],
    ['2026-11-22T14', 'short', '22 nov. 2026'], // a response's coarse hour (UTC)
  ] as const)('day %s (%s) → %s', (input, month, expected) => {
    expect(plain(frenchDay(input, month))).toBe(expected);
  });

  it('shows the time of a campaign date only when it is not midnight in Paris', () => {
    expect(plain(frenchDateMaybeTime(new Date('2026-11-01T23:00:00Z')))).toBe('2 novembre 2026');
    expect(plain(frenchDateMaybeTime(new Date('2027-01-31T17:00:00Z')))).toBe('31 janvier 2027 à 18 h 00');
  });

  it('reads a response hour as its UTC day, and gives nothing for nothing', () => {
    expect(plain(frenchResponseDay('2026-12-01T23'))).toBe('1er déc. 2026');
    expect(frenchDateTime(null)).toBe('');
    expect(frenchDateTime('pas une date')).toBe('');
    expect(toDate('2026-13-45')).toBeNull();
  });
});
