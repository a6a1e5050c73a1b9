import crypto from 'node:crypto';
import type { Request } from 'express';
import type { Db } from '../db/connection.js';
import { SESSION_MAX_AGE_MS, STAFF_COOKIE } from '../staff/auth.js';
import type { StaffStore } from '../staff/store.js';
import type { StreamOwner } from './hub.js';

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

/** The owner key of the streams a staff session opens (the hash, never the cookie itself). */
export const sessionOwnerKey = (cookie: string) => `session:${sha256(cookie)}`;

/**
 * Builds the owner of a stream opened by an authenticated staff request (after requireApi): the
 * session or the API token that opened it, and the check the hub runs at every heartbeat. The
 * stream ends when the session is gone (logout, password reset), idle or past its absolute age,
 * when the account is disabled, when its role is no longer the one the stream was opened with,
 * or when the token is revoked or no longer accepted.
 */
export function staffStreamOwner(deps: { db: Db; store: StaffStore; idleMs: number; now: () => Date }) {
  // Read-only on purpose: touchSession() would extend the session, and an open dashboard with
  // nobody in front of it must still expire when idle. One query per owner per heartbeat.
  const session = deps.db.prepare(
    `SELECT s.created_at AS createdAt, s.last_seen_at AS lastSeen, u.role AS role, u.disabled AS disabled
     FROM staff_sessions s JOIN staff_users u ON u.id = s.user_id
     WHERE s.id_hash = ? AND s.user_id = ?`,
  );
  return (req: Request): StreamOwner => {
    const user = req.staff;
    if (!user) throw new Error('staffStreamOwner: requête sans membre de l’équipe (requireApi manquant ?)');
    const { id: userId, role } = user;
    if (req.staffVia === 'token') {
      const token = String(req.headers.authorization).slice(7).trim();
      return {
        key: `token:${sha256(token)}`,
        userId,
        // The store's own check (revoked, expired, owner disabled): the rules live there.
        stillValid: () => {
          const u = deps.store.userForToken(token, deps.now());
          return u !== undefined && u.id === userId && u.role === role;
        },
      };
    }
    const cookie = String(req.cookies?.[STAFF_COOKIE]);
    const hash = sha256(cookie);
    return {
      key: sessionOwnerKey(cookie),
      userId,
      stillValid: () => {
        const s = session.get(hash, userId) as { createdAt: number; lastSeen: number; role: string; disabled: number } | undefined;
        const now = deps.now().getTime();
        // Same limits as touchSession(): idle since the last request, absolute since login.
        return s !== undefined && !s.disabled && s.role === role && now - s.lastSeen <= deps.idleMs && now - s.createdAt <= SESSION_MAX_AGE_MS;
      },
    };
  };
}
