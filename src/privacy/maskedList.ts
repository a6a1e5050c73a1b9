import type { Db } from '../db/connection.js';
import type { TextSource } from '../analysis/freeText.js';
import { answerScreener, maskVersion } from './answerScreening.js';
import type { PiiKind } from './screening.js';

// What the screening masks in the free texts of the completed responses, for the analysts' list:
// every answer with at least one masked passage (automatic or manual), its spans and their kind,
// and the counts per source and kind. One pass over the texts, kept until the answers or the
// manual masks change.

export const KINDS: readonly PiiKind[] = ['telephone', 'email', 'pseudo', 'lien', 'adresse', 'nom', 'masque'];

export type MaskedSpan = { start: number; end: number; kind: PiiKind; manual: boolean };
export type MaskedAnswer = { source: string; responseId: string; text: string; screened: string; spans: MaskedSpan[] };
export type MaskedList = {
  answers: MaskedAnswer[];
  /** source → kind → passages masked; 'manual' counts the analysts' own. */
  counts: Map<string, Map<PiiKind | 'manual', number>>;
};

export function scanMasked(db: Db, sources: readonly TextSource[]): MaskedList {
  const screen = answerScreener(db);
  const answers: MaskedAnswer[] = [];
  const counts: MaskedList['counts'] = new Map();
  const read = db
    .prepare(
      `SELECT a.response_id, a.value_text FROM answers a JOIN responses r ON r.id = a.response_id
       WHERE a.question_id = ? AND a.option_code = ? AND a.value_text IS NOT NULL AND a.value_text <> '' AND r.status = 'complete'
       ORDER BY r.completed_hour DESC, a.response_id`,
    )
    .raw(true);
  for (const source of sources) {
    for (const [responseId, text] of read.iterate(source.questionId, source.optionCode) as Iterable<[string, string]>) {
      const s = screen({ responseId, source: source.key }, text);
      if (!s.masked.length) continue;
      const spans = s.masked.map((f) => ({
        start: f.start,
        end: f.end,
        kind: f.kind,
        manual: s.manual.some((m) => m.start < f.end && m.end > f.start),
      }));
      answers.push({ source: source.key, responseId, text, screened: s.text, spans });
      let c = counts.get(source.key);
      if (!c) counts.set(source.key, (c = new Map()));
      for (const sp of spans) {
        c.set(sp.kind, (c.get(sp.kind) ?? 0) + 1);
        if (sp.manual) c.set('manual', (c.get('manual') ?? 0) + 1);
      }
    }
  }
  return { answers, counts };
}

const caches = new WeakMap<Db, { stamp: string; list: MaskedList }>();

/** scanMasked, once per state of the answers and of the manual masks. */
export function cachedMasked(db: Db, sources: readonly TextSource[]): MaskedList {
  return db.transaction(() => {
    const stamp = `${(db.prepare('SELECT n FROM results_version WHERE id = 1').get() as { n: number }).n}/${maskVersion(db)}`;
    const hit = caches.get(db);
    if (hit && hit.stamp === stamp) return hit.list;
    const list = scanMasked(db, sources);
    caches.set(db, { stamp, list });
    return list;
  })();
}

/** The text cut into plain and masked pieces, for highlighting. */
export function segments(text: string, spans: readonly MaskedSpan[]): { text: string; kind?: PiiKind; manual?: boolean }[] {
  const out: { text: string; kind?: PiiKind; manual?: boolean }[] = [];
  let at = 0;
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    if (s.start < at) continue;
    if (s.start > at) out.push({ text: text.slice(at, s.start) });
    out.push({ text: text.slice(s.start, s.end), kind: s.kind, manual: s.manual });
    at = s.end;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}
