import { frenchDateTime } from '../dates/french.js';
import { queryWords, type FilterWordsContext } from '../results/filterWords.js';
import { fr } from '../strings.js';
import { ROLE_LABELS, type Role } from './store.js';

// The journal's details in plain words: « motif : identifiants incorrects », « filtres : Excel,
// libellés, Quel est ton genre ? = Féminin ». A key this module doesn't know (added by another
// feature) is still shown, as « clé : valeur », never hidden.

const j = fr.staff.journal;

/** Kinds of action for the journal's filter, by the part of the action code before the dot. */
export const AUDIT_KINDS: Record<string, readonly string[]> = {
  login: ['login', 'logout', 'session'],
  accounts: ['account', 'password', 'totp', 'mfa'],
  tokens: ['token'],
  exports: ['export'],
  campaign: ['settings', 'campaign', 'responses', 'drafts'],
  moderation: ['moderation'],
};
export const KNOWN_PREFIXES = Object.values(AUDIT_KINDS).flat();

const role = (v: unknown) => (typeof v === 'string' && v in ROLE_LABELS ? ROLE_LABELS[v as Role] : String(v));

export function auditDetailsWords(details: Record<string, unknown> | null, ctx: FilterWordsContext): string {
  if (!details) return '';
  return Object.entries(details)
    .map(([key, value]) => `${j.keys[key] ?? key} : ${valueWords(key, value, ctx)}`)
    .join(' · ');
}

function valueWords(key: string, value: unknown, ctx: FilterWordsContext): string {
  if (value === null || value === undefined) return j.none;
  switch (key) {
    case 'reason':
      return j.reasons[String(value)] ?? String(value);
    case 'minutes':
      return typeof value === 'number' ? j.minutes(value) : String(value);
    case 'jours':
      return typeof value === 'number' ? j.days(value) : String(value);
    case 'role':
    case 'from':
    case 'to':
      return role(value);
    case 'via':
      return j.via[String(value)] ?? String(value);
    case 'export':
      return j.exports[String(value)] ?? String(value);
    case 'filtres':
      return value === '(aucun)' || value === '' ? j.noFilter : queryWords(String(value), ctx) || j.noFilter;
    case 'ouverture':
    case 'cloture':
      return frenchDateTime(String(value)) || String(value);
    case 'token':
    case 'reponse':
      // A random id: its first characters are enough to tell two apart on the page.
      return String(value).slice(0, 8);
    default:
      return typeof value === 'string' ? value : typeof value === 'number' ? new Intl.NumberFormat('fr-FR').format(value) : JSON.stringify(value);
  }
}
