import type { Db } from '../db/connection.js';
import { fr } from '../strings.js';

export type AuditEntry = { id: number; at: string; actor: string | null; action: string; details: Record<string, unknown> | null };

/** Audited actions and their French wording for the admin page. */
export const AUDIT_ACTIONS = {
  'login.success': 'Connexion',
  'login.failure': 'Échecs de connexion',
  // Older entries (before failures were grouped) keep their wording.
  'login.locked': 'Compte bloqué après trop d’échecs',
  logout: 'Déconnexion',
  'account.create': 'Compte créé',
  'account.disable': 'Compte désactivé',
  'account.enable': 'Compte réactivé',
  'account.role': 'Rôle modifié',
  'account.password_reset': 'Mot de passe réinitialisé',
  'token.create': 'Jeton d’API créé',
  'token.revoke': 'Jeton d’API révoqué',
  'export.download': 'Export téléchargé',
  'settings.campaign': 'Réglages de la campagne modifiés',
  'campaign.close': 'Campagne clôturée',
  'responses.delete': 'Réponses supprimées',
  'drafts.purge': 'Brouillons abandonnés effacés',
  'moderation.flag': 'Réponse signalée',
  'moderation.unflag': 'Signalement levé',
  // Public results page (issue 12).
  'settings.public_results': 'Page de résultats publique enregistrée',
  'settings.public_results_publish': 'Page de résultats publique publiée',
  'settings.public_results_unpublish': 'Page de résultats publique dépubliée',
  // Account hardening (issue 9, part 8).
  'login.password_ok': 'Mot de passe correct, code de double authentification demandé',
  'account.password_change': 'Mot de passe changé par son titulaire',
  'twofactor.enable': 'Double authentification activée',
  'twofactor.disable': 'Double authentification désactivée',
  'twofactor.reset': 'Double authentification réinitialisée par un administrateur',
  'twofactor.recovery_used': 'Code de secours utilisé',
  'twofactor.recovery_regenerate': 'Nouveaux codes de secours générés',
  'settings.security': 'Réglage de sécurité modifié',
  'workshop.create': 'Atelier créé',
  'workshop.duplicate': 'Atelier dupliqué',
  'workshop.archive': 'Atelier archivé',
  'workshop.unarchive': 'Atelier sorti des archives',
  'workshop.delete': 'Atelier supprimé',
  'workshop.export': 'Résultats d’atelier exportés',
  'settings.synthesis': 'Contenu de la synthèse imprimable modifié',
  // Coding free text (issue 13).
  'coding.codebook': 'Plan de codage modifié',
  'coding.rules': 'Règles de mots-clés appliquées',
  'recode.create': 'Variable dérivée créée',
  'recode.update': 'Variable dérivée modifiée',
  'recode.delete': 'Variable dérivée supprimée',
  // Reference margins and weighting (issue 12).
  'margins.update': fr.weights.audit.margin,
  'weighting.save': fr.weights.audit.save,
  'weighting.remove': fr.weights.audit.remove,
  // Word cloud and personal data of free text (issue 13).
  'cloud.exclusions': 'Mots exclus d’un nuage modifiés',
  'privacy.mask': 'Passage d’une réponse masqué à la main',
  'privacy.unmask': 'Masque manuel annulé',
} as const;
export type AuditAction = keyof typeof AUDIT_ACTIONS;

export function audit(db: Db, actor: string | null, action: AuditAction, details?: Record<string, unknown>, now = new Date()) {
  db.prepare('INSERT INTO audit_log (at, actor, action, details) VALUES (?, ?, ?, ?)').run(
    now.toISOString().slice(0, 19) + 'Z',
    actor,
    action,
    details ? JSON.stringify(details) : null,
  );
}

/** How long a burst of failed sign-ins for one email stays one entry (then a new one opens). */
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60_000;

export type LoginFailureDetails = {
  /** Wrong passwords actually checked. */
  tentatives: number;
  /** Attempts refused by a block, without checking the password. */
  refusees: number;
  /** Blocks started by these failures. */
  blocages: number;
  premiere: string;
  derniere: string;
};

/**
 * Failed sign-ins are grouped per email: the open entry (first failure less than 15 minutes
 * ago) gets its counts and last time updated; only the first failure of a burst writes a row. A
 * flood of 500 tries is one entry saying « 500 échecs … entre 14 h 02 et 14 h 03 ».
 */
export function auditLoginFailure(db: Db, email: string, what: { refused?: boolean; locked?: boolean }, now = new Date()) {
  const at = now.toISOString().slice(0, 19) + 'Z';
  const since = new Date(now.getTime() - LOGIN_FAILURE_WINDOW_MS).toISOString().slice(0, 19) + 'Z';
  db.transaction(() => {
    const open = db
      .prepare(`SELECT id, details FROM audit_log WHERE action = 'login.failure' AND actor = ? AND at >= ? ORDER BY id DESC LIMIT 1`)
      .get(email, since) as { id: number; details: string | null } | undefined;
    const previous = open?.details ? (JSON.parse(open.details) as Partial<LoginFailureDetails>) : undefined;
    const d: LoginFailureDetails = {
      tentatives: (previous?.tentatives ?? 0) + (what.refused ? 0 : 1),
      refusees: (previous?.refusees ?? 0) + (what.refused ? 1 : 0),
      blocages: (previous?.blocages ?? 0) + (what.locked ? 1 : 0),
      premiere: previous?.premiere ?? at,
      derniere: at,
    };
    if (open && previous?.premiere) db.prepare('UPDATE audit_log SET details = ? WHERE id = ?').run(JSON.stringify(d), open.id);
    else db.prepare(`INSERT INTO audit_log (at, actor, action, details) VALUES (?, ?, 'login.failure', ?)`).run(at, email, JSON.stringify(d));
  })();
}

const hourMinute = (iso: string) => `${iso.slice(11, 13)} h ${iso.slice(14, 16)}`;

/** The journal's « Détails » column: a French sentence for grouped failures, « clé : valeur » otherwise. */
export function describeAudit(e: AuditEntry): string {
  const d = e.details;
  if (!d) return '';
  if (e.action === 'login.failure' && typeof d.tentatives === 'number') {
    const f = d as unknown as LoginFailureDetails;
    return fr.security.loginFailures({
      total: f.tentatives + f.refusees,
      email: e.actor ?? '?',
      from: hourMinute(f.premiere),
      to: hourMinute(f.derniere),
      refused: f.refusees,
      locks: f.blocages,
    });
  }
  return Object.entries(d)
    .map(([k, v]) => `${k} : ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' · ');
}

export function listAudit(db: Db, opts: { limit: number; beforeId?: number }): AuditEntry[] {
  const rows = db
    .prepare(
      `SELECT id, at, actor, action, details FROM audit_log
       WHERE (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
    )
    .all(opts.beforeId ?? null, opts.beforeId ?? null, opts.limit) as (Omit<AuditEntry, 'details'> & { details: string | null })[];
  return rows.map((r) => ({ ...r, details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null }));
}
