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
  const holds = (i: NavItem) => path === i.href || path.startsWith(`${i.href}/`);
  // The most specific link holding the path is the current one (/analyse/variables, not /analyse).
  const current = items.filter(holds).reduce<NavItem | undefined>((a, i) => (!a || i.href.length > a.href.length ? i : a), undefined);
  return items.map((i) => ({ href: i.href, label: i.label, current: i === current }));
}

/** Puts the bar in the page data (res.locals.staffNav) of a signed-in browser session. */
export const staffNav: RequestHandler = (req, res, next) => {
  if (req.staff && req.staffVia === 'session') res.locals.staffNav = navFor(req.staff.role, req.path);
  next();
};
