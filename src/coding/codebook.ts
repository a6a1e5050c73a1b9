import type { Db } from '../db/connection.js';
import { fr } from '../strings.js';
import { isStopWord, keywordWords, words } from '../text/normalise.js';

// The codebook of one text source (migration 017, table themes): themes with a stable ASCII code,
// a label, a definition and keyword rules. Every change runs in one transaction; what it does to
// the codings (tables codings / coding_themes, every coder) is said before it is done.

export type Theme = { code: string; label: string; definition: string; keywords: string[]; position: number };
export type ThemeInput = { code: string; label: string; definition: string; keywords: string[] };
export type FieldError = { field: 'code' | 'label' | 'definition' | 'keywords'; message: string };

const t = fr.coding.errors;

export const CODE_MAX = 40;
export const LABEL_MAX = 80;
export const DEFINITION_MAX = 600;
export const KEYWORD_MAX = 60;
export const KEYWORDS_MAX = 200;
export const THEMES_MAX = 60;

/** Codes are export column suffixes (« mots_industrie__theme__emploi »): ASCII snake_case. */
export const CODE_PATTERN = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** The code an analyst probably meant: « Conditions de travail » → « conditions_de_travail ». */
export function suggestCode(s: string): string {
  const slug = s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/œ/gi, 'oe')
    .replace(/æ/gi, 'ae')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[_0-9]+|_+$/g, '')
    .slice(0, CODE_MAX)
    .replace(/_+$/, '');
  return slug || 'theme';
}

/** The French message for a bad code, or undefined. */
export function codeError(code: string): string | undefined {
  if (!code) return t.codeEmpty;
  if (code.length > CODE_MAX) return t.codeTooLong(code, CODE_MAX);
  if (!CODE_PATTERN.test(code)) return t.codeShape(code, suggestCode(code));
  return undefined;
}

/** Keywords as typed in a form or a CSV cell: separated by « | », commas or new lines in a form. */
export function splitKeywords(s: string, separators: RegExp = /[|\n\r]+/): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of s.split(separators)) {
    const k = raw.replace(/\s+/g, ' ').trim();
    if (!k || seen.has(k.toLocaleLowerCase('fr'))) continue;
    seen.add(k.toLocaleLowerCase('fr'));
    out.push(k);
  }
  return out;
}

/** Every problem of one theme at once (the code's uniqueness is the caller's: it knows the others). */
export function themeErrors(input: ThemeInput): FieldError[] {
  const errors: FieldError[] = [];
  const ce = codeError(input.code);
  if (ce) errors.push({ field: 'code', message: ce });
  if (!input.label.trim()) errors.push({ field: 'label', message: t.labelEmpty });
  else if (input.label.length > LABEL_MAX) errors.push({ field: 'label', message: t.labelTooLong(input.label.length, LABEL_MAX) });
  if (input.definition.length > DEFINITION_MAX) errors.push({ field: 'definition', message: t.definitionTooLong(input.definition.length, DEFINITION_MAX) });
  if (input.keywords.length > KEYWORDS_MAX) errors.push({ field: 'keywords', message: t.tooManyKeywords(input.keywords.length, KEYWORDS_MAX) });
  for (const k of input.keywords) {
    if (k.length > KEYWORD_MAX) errors.push({ field: 'keywords', message: t.keywordTooLong(k, KEYWORD_MAX) });
    else {
      const ws = words(k);
      if (!ws.length || !keywordWords(k).words.length) errors.push({ field: 'keywords', message: t.keywordNoWord(k) });
      // « de », « la », « les » alone would find nothing: the texts' own stop words are dropped.
      else if (ws.every(isStopWord)) errors.push({ field: 'keywords', message: t.keywordStopWords(k) });
    }
  }
  return errors;
}

/** A theme as read from a form: trimmed, keywords split on « | », commas or new lines. */
export function themeFromForm(body: Record<string, unknown>): ThemeInput {
  const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
  return {
    code: str('code').trim(),
    label: str('label').replace(/\s+/g, ' ').trim(),
    definition: str('definition').trim(),
    keywords: splitKeywords(str('keywords'), /[|,;\n\r]+/),
  };
}

type Row = { code: string; label: string; definition: string; keywords: string; position: number };
const toTheme = (r: Row): Theme => ({ ...r, keywords: r.keywords ? r.keywords.split('|') : [] });

export function listThemes(db: Db, source: string): Theme[] {
  return (db.prepare('SELECT code, label, definition, keywords, position FROM themes WHERE source = ? ORDER BY position, code').all(source) as Row[]).map(toTheme);
}

export function getTheme(db: Db, source: string, code: string): Theme | undefined {
  const r = db.prepare('SELECT code, label, definition, keywords, position FROM themes WHERE source = ? AND code = ?').get(source, code) as Row | undefined;
  return r && toTheme(r);
}

/** Answers carrying each theme, for one coder (the reference by default). */
export function themeCounts(db: Db, source: string, coder = ''): Map<string, number> {
  const rows = db.prepare('SELECT code, count(*) AS n FROM coding_themes WHERE source = ? AND coder = ? GROUP BY code').all(source, coder) as { code: string; n: number }[];
  return new Map(rows.map((r) => [r.code, r.n]));
}

export type Result<T = undefined> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function addTheme(db: Db, source: string, input: ThemeInput): Result<Theme> {
  const errors = themeErrors(input);
  if (!errors.some((e) => e.field === 'code') && getTheme(db, source, input.code)) errors.unshift({ field: 'code', message: t.codeTaken(input.code) });
  if (errors.length) return { ok: false, errors };
  return db.transaction((): Result<Theme> => {
    const n = (db.prepare('SELECT count(*) AS n, coalesce(max(position), -1) AS last FROM themes WHERE source = ?').get(source) as { n: number; last: number });
    if (n.n >= THEMES_MAX) return { ok: false, errors: [{ field: 'code', message: t.tooManyThemes(THEMES_MAX) }] };
    db.prepare('INSERT INTO themes (source, code, label, definition, keywords, position) VALUES (?, ?, ?, ?, ?, ?)').run(
      source, input.code, input.label, input.definition, input.keywords.join('|'), n.last + 1,
    );
    return { ok: true, value: getTheme(db, source, input.code)! };
  })();
}

/** Renames a theme (label, definition, keywords): its code, and so its codings, stay. */
export function updateTheme(db: Db, source: string, code: string, input: Omit<ThemeInput, 'code'>): Result<Theme> {
  const errors = themeErrors({ ...input, code });
  if (errors.length) return { ok: false, errors };
  const changed = db
    .prepare('UPDATE themes SET label = ?, definition = ?, keywords = ? WHERE source = ? AND code = ?')
    .run(input.label, input.definition, input.keywords.join('|'), source, code).changes;
  if (!changed) return { ok: false, errors: [{ field: 'code', message: t.unknownTheme(code) }] };
  return { ok: true, value: getTheme(db, source, code)! };
}

// An answer whose only themes were removed goes back to « à coder » (its coding row is deleted):
// it was coded with a theme that no longer exists, not looked at and given none. Answers already
// coded « sans thème » or « non codable » keep their coding.
const LEFT_WITHOUT = (marks: string) => `FROM codings c WHERE c.source = ? AND c.uncodable = 0
  AND EXISTS (SELECT 1 FROM coding_themes x WHERE x.source = c.source AND x.coder = c.coder AND x.response_id = c.response_id AND x.code IN (${marks}))
  AND NOT EXISTS (SELECT 1 FROM coding_themes y WHERE y.source = c.source AND y.coder = c.coder AND y.response_id = c.response_id AND y.code NOT IN (${marks}))`;

/** What removing these themes would do: codings removed (every coder), answers back to « à coder ». */
export function removalImpact(db: Db, source: string, codes: readonly string[]): { codings: number; uncoded: number } {
  if (!codes.length) return { codings: 0, uncoded: 0 };
  const marks = codes.map(() => '?').join(', ');
  const codings = (db.prepare(`SELECT count(*) AS n FROM coding_themes WHERE source = ? AND code IN (${marks})`).get(source, ...codes) as { n: number }).n;
  const uncoded = (db.prepare(`SELECT count(*) AS n ${LEFT_WITHOUT(marks)}`).get(source, ...codes, ...codes) as { n: number }).n;
  return { codings, uncoded };
}

function removeThemes(db: Db, source: string, codes: readonly string[]) {
  if (!codes.length) return;
  const marks = codes.map(() => '?').join(', ');
  const orphans = db.prepare(`SELECT c.coder, c.response_id AS id ${LEFT_WITHOUT(marks)}`).all(source, ...codes, ...codes) as { coder: string; id: string }[];
  const del = db.prepare('DELETE FROM themes WHERE source = ? AND code = ?');
  // coding_themes rows go by ON DELETE CASCADE (migration 017).
  for (const c of codes) del.run(source, c);
  const uncode = db.prepare('DELETE FROM codings WHERE source = ? AND coder = ? AND response_id = ?');
  for (const o of orphans) uncode.run(source, o.coder, o.id);
}

/** Deletes a theme and its codings (every coder); answers left without a theme become « à coder ». */
export function deleteTheme(db: Db, source: string, code: string): { codings: number; uncoded: number } | undefined {
  return db.transaction(() => {
    if (!getTheme(db, source, code)) return undefined;
    const impact = removalImpact(db, source, [code]);
    removeThemes(db, source, [code]);
    return impact;
  })();
}

/**
 * Merges theme `from` into `into`: every coding of `from` (every coder) becomes one of `into`,
 * an answer carrying both keeps one; `into` gains `from`'s keywords; `from` is deleted.
 */
export function mergeThemes(db: Db, source: string, from: string, into: string): Result<{ moved: number; already: number }> {
  if (from === into) return { ok: false, errors: [{ field: 'code', message: t.mergeSame }] };
  return db.transaction((): Result<{ moved: number; already: number }> => {
    const a = getTheme(db, source, from);
    const b = getTheme(db, source, into);
    if (!a) return { ok: false, errors: [{ field: 'code', message: t.unknownTheme(from) }] };
    if (!b) return { ok: false, errors: [{ field: 'code', message: t.unknownTheme(into) }] };
    const total = (db.prepare('SELECT count(*) AS n FROM coding_themes WHERE source = ? AND code = ?').get(source, from) as { n: number }).n;
    const moved = db
      .prepare(`INSERT OR IGNORE INTO coding_themes (source, coder, response_id, code) SELECT source, coder, response_id, ? FROM coding_themes WHERE source = ? AND code = ?`)
      .run(into, source, from).changes;
    const keywords = [...b.keywords];
    const seen = new Set(keywords.map((k) => k.toLocaleLowerCase('fr')));
    for (const k of a.keywords) if (!seen.has(k.toLocaleLowerCase('fr'))) keywords.push(k);
    db.prepare('UPDATE themes SET keywords = ? WHERE source = ? AND code = ?').run(keywords.slice(0, KEYWORDS_MAX).join('|'), source, into);
    db.prepare('DELETE FROM themes WHERE source = ? AND code = ?').run(source, from);
    return { ok: true, value: { moved, already: total - moved } };
  })();
}

/** Moves a theme one place up or down in the codebook (the order of the screen's number keys). */
export function moveTheme(db: Db, source: string, code: string, direction: -1 | 1): void {
  db.transaction(() => {
    const list = listThemes(db, source);
    const i = list.findIndex((x) => x.code === code);
    const j = i + direction;
    if (i < 0 || j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j], list[i]];
    const set = db.prepare('UPDATE themes SET position = ? WHERE source = ? AND code = ?');
    list.forEach((x, k) => set.run(k, source, x.code));
  })();
}

export type ReplacePlan = {
  added: string[];
  changed: string[];
  unchanged: string[];
  /** Themes of the current codebook missing from the new one, with what their removal costs. */
  removed: { code: string; label: string; codings: number }[];
  impact: { codings: number; uncoded: number };
};

/** What replacing the codebook by `themes` would do, before doing it. */
export function planReplace(db: Db, source: string, themes: readonly ThemeInput[]): ReplacePlan {
  const current = new Map(listThemes(db, source).map((x) => [x.code, x]));
  const next = new Set(themes.map((x) => x.code));
  const plan: ReplacePlan = { added: [], changed: [], unchanged: [], removed: [], impact: { codings: 0, uncoded: 0 } };
  for (const x of themes) {
    const c = current.get(x.code);
    if (!c) plan.added.push(x.code);
    else if (c.label !== x.label || c.definition !== x.definition || c.keywords.join('|') !== x.keywords.join('|')) plan.changed.push(x.code);
    else plan.unchanged.push(x.code);
  }
  const counts = new Map((db.prepare('SELECT code, count(*) AS n FROM coding_themes WHERE source = ? GROUP BY code').all(source) as { code: string; n: number }[]).map((r) => [r.code, r.n]));
  for (const c of current.values()) if (!next.has(c.code)) plan.removed.push({ code: c.code, label: c.label, codings: counts.get(c.code) ?? 0 });
  plan.impact = removalImpact(db, source, plan.removed.map((r) => r.code));
  return plan;
}

/**
 * Replaces the codebook by `themes` (already validated), in the file's order: themes kept by code
 * keep their codings, new ones are added, missing ones are deleted with their codings.
 */
export function replaceCodebook(db: Db, source: string, themes: readonly ThemeInput[]): ReplacePlan {
  return db.transaction(() => {
    const plan = planReplace(db, source, themes);
    removeThemes(db, source, plan.removed.map((r) => r.code));
    const upsert = db.prepare(
      `INSERT INTO themes (source, code, label, definition, keywords, position) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (source, code) DO UPDATE SET label = excluded.label, definition = excluded.definition, keywords = excluded.keywords, position = excluded.position`,
    );
    themes.forEach((x, i) => upsert.run(source, x.code, x.label, x.definition, x.keywords.join('|'), i));
    return plan;
  })();
}
