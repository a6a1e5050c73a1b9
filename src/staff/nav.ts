import type { RequestHandler } from 'express';
import { fr } from '../strings.js';
import type { Role } from './store.js';

// The staff navigation bar: which pages each role reaches, and which one is being shown. The
// layout draws it for signed-in staff only (respondents never see it).

type NavItem = { href: string; label: string; roles: readonly Role[]; /** other paths that belong to it */ prefixes?: string[] };

const t = fr.staff.nav;
const ITEMS: NavItem[] = [
  { href: '/equipe', label: t.home, roles: ['admin', 'analyst', 'facilitator'] },
  { href: '/resultats', label: t.results, roles: ['admin', 'analyst', 'facilitator'] },
  { href: '/analyse', label: t.analysis, roles: ['admin', 'analyst'] },
  { href: '/analyse/variables', label: fr.derived.nav, roles: ['admin', 'analyst'] },
  { href: '/analyse/representativite', label: t.representativeness, roles: ['admin', 'analyst'], prefixes: ['/analyse/ponderation', '/admin/marges'] },
  { href: '/ateliers', label: t.workshops, roles: ['admin', 'analyst', 'facilitator'] },
  { href: '/compte/jetons', label: t.tokens, roles: ['analyst'] },
  { href: '/admin/campagne', label: t.campaign, roles: ['admin'] },
  { href: '/admin/comptes', label: t.accounts, roles: ['admin'] },
  { href: '/admin/journal', label: t.journal, roles: ['admin'] },
];

export type NavLink = { href: string; label: string; current: boolean };

/** The links a role sees, the one holding `path` marked current. */
export function navFor(role: Role, path: string): NavLink[] {
  const items = ITEMS.filter((i) => i.roles.includes(role));
  const holds = (i: NavItem) => [i.href, ...(i.prefixes ?? [])].some((h) => path === h || path.startsWith(`${h}/`));
  // The most specific item holding the path is the current one (/analyse/representativite is not « Analyse »).
  const current = items.filter(holds).sort((a, b) => b.href.length - a.href.length)[0];
  return items.map((i) => ({ href: i.href, label: i.label, current: i === current }));
}

/** Puts the bar in the page data (res.locals.staffNav) of a signed-in browser session. */
export const staffNav: RequestHandler = (req, res, next) => {
  if (req.staff && req.staffVia === 'session') res.locals.staffNav = navFor(req.staff.role, req.path);
  next();
};
