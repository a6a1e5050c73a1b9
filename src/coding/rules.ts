import type { TextSource } from '../analysis/freeText.js';
import type { Db } from '../db/connection.js';
import { contentWords, keywordIndex } from '../text/normalise.js';
import type { Theme } from './codebook.js';
import { REFERENCE } from './codings.js';

// Keyword rules: each theme's keywords, matched with the shared French normalisation
// (src/text/normalise.ts: case, accents, elisions, plurals; « pollu* » for a word start). On the
// coding screen they pre-tick the themes they suggest; « Appliquer les règles » codes every uncoded
// answer they match, after a preview. Each answer is normalised once whatever the number of
// keywords, and keywords are looked up by their first word (keywordIndex).

export type Rules = {
  /** Theme codes suggested for a text, in codebook order. */
  suggest(text: string): string[];
  /** The same from the text's content words (already normalised). */
  suggestWords(words: readonly string[]): string[];
  /** Whether any theme has a keyword. */
  any: boolean;
};

export function compileRules(themes: readonly Theme[]): Rules {
  const owners: number[] = [];
  const keywords: string[] = [];
  themes.forEach((theme, i) => {
    for (const k of theme.keywords) {
      keywords.push(k);
      owners.push(i);
    }
  });
  const index = keywordIndex(keywords);
  const suggestWords = (words: readonly string[]) => {
    const hit = new Set(index(words).map((k) => owners[k]));
    return [...hit].sort((a, b) => a - b).map((i) => themes[i].code);
  };
  return { suggest: (text) => suggestWords(contentWords(text)), suggestWords, any: keywords.length > 0 };
}

export type RulePlan = {
  /** Uncoded answers looked at. */
  uncoded: number;
  /** Uncoded answers at least one rule matches: what applying would code. */
  matched: number;
  perTheme: { code: string; label: string; count: number }[];
  matches: { responseId: string; codes: string[] }[];
};

/** Uncoded answers of the source for a coder (completed responses, non-empty text). */
export function uncodedAnswers(db: Db, source: TextSource, coder = REFERENCE): { responseId: string; text: string }[] {
  return db
    .prepare(
      `SELECT a.response_id AS responseId, a.value_text AS text FROM answers a JOIN responses r ON r.id = a.response_id
       WHERE a.question_id = ? AND a.option_code = ? AND a.value_text IS NOT NULL AND a.value_text <> '' AND r.status = 'complete'
         AND NOT EXISTS (SELECT 1 FROM codings c WHERE c.source = ? AND c.coder = ? AND c.response_id = a.response_id)
       ORDER BY a.response_id`,
    )
    .all(source.questionId, source.optionCode, source.key, coder) as { responseId: string; text: string }[];
}

/** What applying the rules to every uncoded answer would code (nothing written). */
export function planRules(db: Db, source: TextSource, themes: readonly Theme[], coder = REFERENCE): RulePlan {
  const rules = compileRules(themes);
  const answers = uncodedAnswers(db, source, coder);
  const counts = new Map(themes.map((x) => [x.code, 0]));
  const matches: RulePlan['matches'] = [];
  if (rules.any) {
    // Many answers are the same few words (« usine », « pollution »): each distinct text is
    // normalised and matched once.
    const byText = new Map<string, string[]>();
    for (const a of answers) {
      let codes = byText.get(a.text);
      if (!codes) byText.set(a.text, (codes = rules.suggestWords(contentWords(a.text))));
      if (!codes.length) continue;
      matches.push({ responseId: a.responseId, codes });
      for (const c of codes) counts.set(c, counts.get(c)! + 1);
    }
  }
  return {
    uncoded: answers.length,
    matched: matches.length,
    perTheme: themes.map((x) => ({ code: x.code, label: x.label, count: counts.get(x.code)! })),
    matches,
  };
}

/**
 * Codes every uncoded answer the rules match, in one transaction; answers no rule matches stay
 * « à coder » (an answer is never coded « aucun thème » by a rule). Returns what it coded.
 */
export function applyRules(db: Db, source: TextSource, themes: readonly Theme[], coder = REFERENCE): RulePlan {
  return db.transaction(() => {
    const plan = planRules(db, source, themes, coder);
    const coding = db.prepare('INSERT INTO codings (source, coder, response_id, uncodable) VALUES (?, ?, ?, 0)');
    const theme = db.prepare('INSERT INTO coding_themes (source, coder, response_id, code) VALUES (?, ?, ?, ?)');
    for (const m of plan.matches) {
      coding.run(source.key, coder, m.responseId);
      for (const c of m.codes) theme.run(source.key, coder, m.responseId, c);
    }
    return plan;
  })();
}
