import express from 'express';
import type { Campaign } from '../campaign/campaign.js';
import { frenchDateTime, isoOf } from '../dates/french.js';
import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { fr } from '../strings.js';
import { foldedPattern, registerFold } from '../text/sqlFold.js';
import { AUDIT_ACTIONS, describeAudit } from './audit.js';
import { auditDetailsWords, AUDIT_KINDS, KNOWN_PREFIXES } from './auditWords.js';
import { requirePage } from './auth.js';

// /admin/journal: the audit log, newest first, 50 per page, searchable (person or details,
// accents and case ignored) and filtered by kind of action. Plain GET form: no JavaScript.

export const JOURNAL_PAGE_SIZE = 50;

export type JournalDeps = { db: Db; questionnaire: Questionnaire; campaign: () => Campaign; communeName?: (insee: string) => string | undefined };

const j = fr.staff.journal;
const prefixSql = `substr(action, 1, instr(action || '.', '.') - 1)`;

export function journalRouter(deps: JournalDeps) {
  const { db } = deps;
  registerFold(db);
  const router = express.Router();

  router.get('/admin/journal', requirePage('admin'), (req, res) => {
    const search = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 100) : '';
    const kind = typeof req.query.type === 'string' && (req.query.type in AUDIT_KINDS || req.query.type === 'other') ? req.query.type : '';
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (search) {
      where.push(`(fold_fr(coalesce(actor, '')) LIKE ? ESCAPE '\\' OR fold_fr(coalesce(details, '')) LIKE ? ESCAPE '\\')`);
      params.push(foldedPattern(search), foldedPattern(search));
    }
    if (kind) {
      const prefixes = kind === 'other' ? KNOWN_PREFIXES : AUDIT_KINDS[kind];
      where.push(`${prefixSql} ${kind === 'other' ? 'NOT IN' : 'IN'} (${prefixes.map(() => '?').join(', ')})`);
      params.push(...prefixes);
    }
    const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (db.prepare(`SELECT count(*) AS n FROM audit_log ${whereSql}`).get(...params) as { n: number }).n;
    const pages = Math.max(1, Math.ceil(total / JOURNAL_PAGE_SIZE));
    const asked = Number(req.query.page);
    const page = Number.isInteger(asked) && asked >= 1 ? Math.min(asked, pages) : 1;
    const rows = db
      .prepare(`SELECT id, at, actor, action, details FROM audit_log ${whereSql} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, JOURNAL_PAGE_SIZE, (page - 1) * JOURNAL_PAGE_SIZE) as { id: number; at: string; actor: string | null; action: string; details: string | null }[];
    const channels = new Map(deps.campaign().channels.map((c) => [c.code, c.label]));
    const ctx = { q: deps.questionnaire, channelLabel: (c: string) => channels.get(c), communeName: deps.communeName, db };
    const link = (p: number) => {
      const qs = new URLSearchParams();
      if (search) qs.set('q', search);
      if (kind) qs.set('type', kind);
      if (p > 1) qs.set('page', String(p));
      const s = qs.toString();
      return `/admin/journal${s ? `?${s}` : ''}`;
    };
    res.render('staff/audit', {
      pageTitle: page > 1 ? `${fr.staff.auditTitle} – ${j.page(page, pages)}` : fr.staff.auditTitle,
      search,
      kinds: [...Object.keys(AUDIT_KINDS), 'other'].map((code) => ({ code, label: j.kinds[code], selected: code === kind })),
      filtered: Boolean(search || kind),
      count: j.count(total),
      pageLabel: pages > 1 ? j.page(page, pages) : '',
      previous: page > 1 ? link(page - 1) : undefined,
      next: page < pages ? link(page + 1) : undefined,
      entries: rows.map((e) => {
        let details: Record<string, unknown> | null = null;
        try {
          details = e.details ? (JSON.parse(e.details) as Record<string, unknown>) : null;
        } catch {
          details = { details: e.details };
        }
        return {
          when: frenchDateTime(e.at),
          iso: isoOf(e.at),
          actor: e.actor ?? j.system,
          label: AUDIT_ACTIONS[e.action as keyof typeof AUDIT_ACTIONS] ?? e.action,
          // Grouped sign-in failures have their own sentence (audit.ts); everything else, in words here.
          details: e.action === 'login.failure' && details && 'tentatives' in details
            ? describeAudit({ id: e.id, at: e.at, actor: e.actor, action: e.action, details })
            : auditDetailsWords(details, ctx),
        };
      }),
    });
  });

  return router;
}
