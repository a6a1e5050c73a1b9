import type { Db } from '../db/connection.js';

export type AuditEntry = { id: number; at: string; actor: string | null; action: string; details: Record<string, unknown> | null };

/** Audited actions and their French wording for the admin page. */
export const AUDIT_ACTIONS = {
  'login.success': 'Connexion',
  'login.failure': 'Échec de connexion',
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
  'workshop.create': 'Atelier créé',
  'workshop.duplicate': 'Atelier dupliqué',
  'workshop.archive': 'Atelier archivé',
  'workshop.unarchive': 'Atelier sorti des archives',
  'workshop.delete': 'Atelier supprimé',
  'workshop.export': 'Résultats d’atelier exportés',
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

export function listAudit(db: Db, opts: { limit: number; beforeId?: number }): AuditEntry[] {
  const rows = db
    .prepare(
      `SELECT id, at, actor, action, details FROM audit_log
       WHERE (? IS NULL OR id < ?) ORDER BY id DESC LIMIT ?`,
    )
    .all(opts.beforeId ?? null, opts.beforeId ?? null, opts.limit) as (Omit<AuditEntry, 'details'> & { details: string | null })[];
  return rows.map((r) => ({ ...r, details: r.details ? (JSON.parse(r.details) as Record<string, unknown>) : null }));
}
