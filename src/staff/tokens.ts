import { frenchDateTime, frenchDay } from '../dates/french.js';
import { fr } from '../strings.js';
import { TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS, type TokenRow } from './store.js';

export { TOKEN_DEFAULT_DAYS };

/** What the creation form offers; the default is 90 days and nothing goes beyond a year. */
export const TOKEN_DURATIONS = [7, 30, TOKEN_DEFAULT_DAYS, 180, TOKEN_MAX_DAYS] as const;

/** The chosen duration in days; missing means the default; anything not offered is refused. */
export function parseTokenDays(value: unknown): number | undefined {
  if (value === undefined || value === '') return TOKEN_DEFAULT_DAYS;
  const days = typeof value === 'string' && /^\d{1,3}$/.test(value) ? Number(value) : NaN;
  return (TOKEN_DURATIONS as readonly number[]).includes(days) ? days : undefined;
}

/** « 1er déc. 2026 » from an ISO timestamp or a YYYY-MM-DD day (the staff pages' date module). */
export function frenchDate(iso: string): string {
  return frenchDay(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? `${iso}T12:00:00Z` : iso);
}

/** One row of the tokens page: dates in French and the token's state in words. */
export function tokenView(t: TokenRow, now: Date) {
  const expired = !t.revokedAt && (!t.expiresAt || Date.parse(t.expiresAt) <= now.getTime());
  const active = !t.revokedAt && !expired;
  let state: string;
  if (t.revokedAt) state = fr.security.tokenRevokedBecause[t.revokedReason ?? 'owner'] ?? fr.security.tokenRevokedBecause.owner;
  else if (expired) state = fr.security.tokenExpired;
  else state = fr.security.tokenActive;
  return {
    id: t.id,
    label: t.label,
    created: frenchDateTime(t.createdAt),
    expires: t.expiresAt ? frenchDate(t.expiresAt) : '—',
    lastUsed: t.lastUsedOn ? frenchDate(t.lastUsedOn) : fr.security.tokenNeverUsed,
    state,
    active,
  };
}
