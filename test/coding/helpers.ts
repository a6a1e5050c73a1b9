import { textSources } from '../../src/analysis/freeText.js';
import type { Db } from '../../src/db/connection.js';
import { insertRespondents, sortedIds } from '../../src/demo/demo.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import type { AnswerRow } from '../../src/questionnaire/types/common.js';

export const q = loadQuestionnaire();
/** The text source « mots_industrie », as the routes see it. */
export const SOURCE = textSources(q).find((s) => s.key === 'mots_industrie')!;

/**
 * Completed responses whose only answers are the given texts of « mots_industrie » (and a genre
 * when given, for filters); returns their ids in the same order. An empty string means the
 * respondent left the question blank.
 */
export function seedTexts(db: Db, texts: readonly (string | { text: string; genre?: string })[]): string[] {
  const ids = sortedIds(texts.length);
  const people = texts.map((x) => {
    const { text, genre } = typeof x === 'string' ? { text: x, genre: undefined } : x;
    const rows: AnswerRow[] = [];
    if (genre) rows.push({ questionId: 'genre', optionCode: genre, valueText: null, valueNum: null });
    if (text) rows.push({ questionId: 'mots_industrie', optionCode: '', valueText: text, valueNum: null });
    return { drafts: [], rows, channel: null, startedHour: '2026-11-20T10', completedHour: '2026-11-20T10' };
  });
  insertRespondents(db, q, people, { ids });
  return ids;
}
