import express from 'express';
import type { CampaignSettings } from '../campaign/settings.js';
import { campaignWords } from '../campaign/stateWords.js';
import type { Db } from '../db/connection.js';
import { formatCount, formatPercent } from '../results/dashboardView.js';
import { hasColumn } from '../results/filters.js';
import { keyFigures } from '../results/keyFigures.js';
import { fr } from '../strings.js';
import { requirePage } from './auth.js';
import { ROLE_LABELS } from './store.js';

// /equipe, the staff home: « où en est-on ? » (key figures), the campaign's state, and what needs
// someone's attention (flagged responses, API tokens about to expire).

export const TOKEN_WARNING_DAYS = 14;

export type HomeDeps = { db: Db; campaign: CampaignSettings; now: () => Date };

export function staffHomeRouter(deps: HomeDeps) {
  const { db } = deps;
  const router = express.Router();
  const t = fr.staff.home;

  /** The signed-in person's live tokens expiring soon; null while tokens have no expiry column. */
  const expiringTokens = (userId: string, now: Date): number | null => {
    if (!hasColumn(db, 'api_tokens', 'expires_at')) return null;
    const until = new Date(now.getTime() + TOKEN_WARNING_DAYS * 86_400_000).toISOString();
    return (
      db
        .prepare(`SELECT count(*) AS n FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? AND expires_at <= ?`)
        .get(userId, now.toISOString(), until) as { n: number }
    ).n;
  };

  router.get('/equipe', requirePage('admin', 'analyst', 'facilitator'), (req, res) => {
    const me = req.staff!;
    const now = deps.now();
    const canAnalyse = me.role === 'admin' || me.role === 'analyst';
    const figures = keyFigures(db, now);
    const attention: { text: string; href: string }[] = [];
    if (canAnalyse) {
      const flagged = (db.prepare('SELECT count(*) AS n FROM responses WHERE flagged = 1').get() as { n: number }).n;
      if (flagged) attention.push({ text: t.flagged(flagged), href: '/analyse/signalements' });
      const expiring = expiringTokens(me.id, now);
      if (expiring) attention.push({ text: t.tokensExpiring(expiring, TOKEN_WARNING_DAYS), href: '/compte/jetons' });
    }
    const words = campaignWords(deps.campaign.get(), now);
    res.render('staff/home', {
      pageTitle: fr.staff.homeTitle,
      signedIn: fr.staff.signedInAs(me.email, ROLE_LABELS[me.role]),
      figures: [
        { value: formatCount(figures.complete), label: t.complete, id: 'complete' },
        { value: formatCount(figures.started), label: t.started, id: 'started' },
        { value: formatPercent(figures.completionRate), label: t.completionRate, id: 'rate' },
        { value: formatCount(figures.lastSevenDays), label: t.thisWeek, id: 'week' },
      ],
      campaign: words,
      attention,
      isAdmin: me.role === 'admin',
      canAnalyse,
    });
  });

  return router;
}
