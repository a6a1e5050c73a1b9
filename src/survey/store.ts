import crypto from 'node:crypto';
import type { Db } from '../db/connection.js';
import type { AnswerRow, RawValues } from '../questionnaire/types/common.js';
import { recordAnswered } from '../results/answered.js';
import { recordCompletion } from '../results/counts.js';

// Persistence of drafts and completed responses. Every function commits before it returns, so a
// route that answers after calling it never acknowledges something that isn't on disk.

/** Why a response was flagged as probably automated (labels: fr.staff.flagReasons). */
export type FlagReason = 'piege' | 'rapide' | 'horodatage' | 'signature';

export type Draft = { id: string; reachedSection: number; channel: string | null };

/** Hour precision, UTC: "2026-11-22T14". Nothing finer is ever stored with a response. */
export function hourOf(d: Date): string {
  return d.toISOString().slice(0, 13);
}

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/**
 * What completed_tokens keeps of a finished draft's cookie: a hash of its own kind, so the
 * draft_token_hash the response carried while it was a draft appears nowhere once it is complete
 * (not even in the tombstone that recognises a resent final POST).
 */
export function completedTokenHash(token: string): string {
  return crypto.createHash('sha256').update('avenir:termine:').update(token).digest('hex');
}

export function createSurveyStore(db: Db) {
  const stmts = {
    insertDraft: db.prepare(
      `INSERT INTO responses (id, questionnaire_id, questionnaire_version, channel, status, reached_section,
         started_hour, updated_hour, draft_token_hash)
       VALUES (?, ?, ?, ?, 'draft', 0, ?, ?, ?)`,
    ),
    findDraft: db.prepare(
      `SELECT id, reached_section AS reachedSection, channel FROM responses
       WHERE draft_token_hash = ? AND status = 'draft' AND questionnaire_id = ? AND questionnaire_version = ?`,
    ),
    upsertSection: db.prepare(
      `INSERT INTO draft_sections (response_id, section_id, data) VALUES (?, ?, ?)
       ON CONFLICT (response_id, section_id) DO UPDATE SET data = excluded.data`,
    ),
    touch: db.prepare(
      `UPDATE responses SET updated_hour = ?, reached_section = max(reached_section, ?) WHERE id = ? AND status = 'draft'`,
    ),
    sections: db.prepare(`SELECT section_id AS sectionId, data FROM draft_sections WHERE response_id = ?`),
    insertAnswer: db.prepare(
      `INSERT INTO answers (response_id, question_id, option_code, value_text, value_num) VALUES (?, ?, ?, ?, ?)`,
    ),
    complete: db.prepare(
      `UPDATE responses SET status = 'complete', completed_hour = ?, updated_hour = ?, reached_section = ?,
         draft_token_hash = NULL
       WHERE id = ? AND status = 'draft'`,
    ),
    deleteSections: db.prepare(`DELETE FROM draft_sections WHERE response_id = ?`),
    rememberToken: db.prepare(`INSERT OR IGNORE INTO completed_tokens (token_hash, completed_day) VALUES (?, ?)`),
    isCompletedToken: db.prepare(`SELECT 1 FROM completed_tokens WHERE token_hash = ?`),
    flag: db.prepare(`UPDATE responses SET flagged = 1, flag_reason = coalesce(flag_reason, ?) WHERE id = ?`),
  };

  return {
    createDraft(token: string, q: { id: string; version: number }, channel: string | null, now: Date): Draft {
      const id = crypto.randomUUID();
      stmts.insertDraft.run(id, q.id, q.version, channel, hourOf(now), hourOf(now), hashToken(token));
      return { id, reachedSection: 0, channel };
    },

    findDraft(token: string | undefined, q: { id: string; version: number }): Draft | undefined {
      if (!token || token.length > 100) return undefined;
      return stmts.findDraft.get(hashToken(token), q.id, q.version) as Draft | undefined;
    },

    isCompletedToken(token: string | undefined): boolean {
      if (!token || token.length > 100) return false;
      return stmts.isCompletedToken.get(completedTokenHash(token)) !== undefined;
    },

    /** Saves what was typed in one section; `reached` moves forward only (funnel). */
    saveSection: db.transaction((draftId: string, sectionId: string, raw: RawValues, reached: number, now: Date) => {
      stmts.upsertSection.run(draftId, sectionId, JSON.stringify(raw));
      stmts.touch.run(hourOf(now), reached, draftId);
    }),

    /** Marks a response as probably automated; the first reason is kept. */
    flag(draftId: string, reason: FlagReason) {
      stmts.flag.run(reason, draftId);
    },

    loadSections(draftId: string): Map<string, RawValues> {
      const rows = stmts.sections.all(draftId) as { sectionId: string; data: string }[];
      return new Map(rows.map((r) => [r.sectionId, JSON.parse(r.data) as RawValues]));
    },

    /**
     * Turns a draft into a complete response in one transaction: answers in long format, status,
     * the draft's raw input deleted, the cookie's hash moved to a table with no link to the response.
     * Returns false when the draft was already completed (nothing written).
     */
    complete: db.transaction(
      (draftId: string, token: string, rows: AnswerRow[], sectionCount: number, now: Date): boolean => {
        const changed = stmts.complete.run(hourOf(now), hourOf(now), sectionCount, draftId).changes;
        if (changed !== 1) return false;
        for (const r of rows) stmts.insertAnswer.run(draftId, r.questionId, r.optionCode, r.valueText, r.valueNum);
        // Running totals move in the same transaction: the dashboard never disagrees with answers.
        recordCompletion(db, rows);
        recordAnswered(db, draftId, rows);
        stmts.deleteSections.run(draftId);
        stmts.rememberToken.run(completedTokenHash(token), now.toISOString().slice(0, 10));
        return true;
      },
    ),
  };
}

export type SurveyStore = ReturnType<typeof createSurveyStore>;
