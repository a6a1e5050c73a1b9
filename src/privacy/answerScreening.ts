import type { Db } from '../db/connection.js';
import { screen, type Finding, type Span } from './screening.js';

// The screened text of a survey answer: the automatic screening (screening.ts) plus the passages
// analysts masked by hand (migration 020, manual_masks). This module owns that rule: every place
// that shows a survey answer's free text outside the analysts' reading and coding screens (word
// clouds, `responses.csv?screened=1`, the printable synthesis) goes through answerScreener.
// A manual mask never changes the answer itself: it is applied when the text is shown.

export type ManualKind = 'nom' | 'masque';
export const MANUAL_KINDS: readonly ManualKind[] = ['nom', 'masque'];
export type ManualMask = { id: number; responseId: string; source: string; passage: string; kind: ManualKind };

/** Where the masks of one answer are: its response and its text source (export column name). */
export type AnswerRef = { responseId: string; source: string };

/** Longest passage masked by hand (the table's CHECK says the same). */
export const MAX_PASSAGE = 200;

const hasMasks = (db: Db) => db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'manual_masks'`).get() !== undefined;

/** Every occurrence of each passage in the text, as spans to mask. */
export function manualSpans(text: string, masks: readonly Pick<ManualMask, 'passage' | 'kind'>[]): Span[] {
  const spans: Span[] = [];
  for (const m of masks) {
    if (!m.passage) continue;
    for (let i = text.indexOf(m.passage); i >= 0; i = text.indexOf(m.passage, i + m.passage.length)) {
      spans.push({ start: i, end: i + m.passage.length, kind: m.kind });
    }
  }
  return spans;
}

/** The screened text, the merged masked spans, and which spans were an analyst's (manual). */
export type Screened = { text: string; masked: Finding[]; manual: Span[] };
export type AnswerScreener = (ref: AnswerRef, text: string) => Screened;

/**
 * THE function that screens a survey answer for showing: `answerScreener(db)` reads the manual
 * masks once (a small table) and returns `(ref, text) => { text, masked }`, the text with the
 * automatic masks (« [téléphone] », « [e-mail] », « [nom] »…) and the analysts' own (« [nom] »,
 * « [masqué] »). Make one per page or export: masks added later are not seen by an older one.
 */
export function answerScreener(db: Db): AnswerScreener {
  const byAnswer = new Map<string, ManualMask[]>();
  if (hasMasks(db)) {
    for (const m of db.prepare(`SELECT id, response_id AS responseId, source, passage, kind FROM manual_masks ORDER BY id`).all() as ManualMask[]) {
      const k = `${m.responseId}\u0000${m.source}`;
      const list = byAnswer.get(k);
      if (list) list.push(m);
      else byAnswer.set(k, [m]);
    }
  }
  return (ref, text) => {
    const masks = byAnswer.get(`${ref.responseId}\u0000${ref.source}`);
    const manual = masks ? manualSpans(text, masks) : [];
    return { ...screen(text, manual), manual };
  };
}

/** One answer's screened text (reads its masks): for a handful of answers; for many, answerScreener. */
export function screenedAnswerText(db: Db, ref: AnswerRef, text: string): string {
  const masks = hasMasks(db) ? masksOf(db, ref) : [];
  return screen(text, manualSpans(text, masks)).text;
}

/** The manual masks of one answer, oldest first. */
export function masksOf(db: Db, ref: AnswerRef): ManualMask[] {
  return db
    .prepare(`SELECT id, response_id AS responseId, source, passage, kind FROM manual_masks WHERE response_id = ? AND source = ? ORDER BY id`)
    .all(ref.responseId, ref.source) as ManualMask[];
}

/** Adds a manual mask; false when the same passage of that answer was already masked. */
export function addMask(db: Db, ref: AnswerRef, passage: string, kind: ManualKind): boolean {
  return (
    db.prepare(`INSERT OR IGNORE INTO manual_masks (response_id, source, passage, kind) VALUES (?, ?, ?, ?)`).run(ref.responseId, ref.source, passage, kind)
      .changes > 0
  );
}

/** Removes one manual mask of that answer (undo); false when there was none. */
export function removeMask(db: Db, ref: AnswerRef, id: number): boolean {
  return db.prepare(`DELETE FROM manual_masks WHERE id = ? AND response_id = ? AND source = ?`).run(id, ref.responseId, ref.source).changes > 0;
}

/** A stamp that moves whenever a manual mask is added or removed (migration 020's trigger). */
export function maskVersion(db: Db): number {
  if (!hasMasks(db)) return 0;
  return (db.prepare(`SELECT n FROM mask_version WHERE id = 1`).get() as { n: number }).n;
}
