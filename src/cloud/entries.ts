import { compareSpellings, isStopWord, singular, tidy, words, type Variant } from '../text/normalise.js';

// The entries of the survey's word cloud: the words of the answers that carry their meaning, after
// the shared French normalisation (src/text/normalise.ts: case, accents, elisions, plurals, stop
// words). A negation stays with its word, as in the workshops' cloud: « pas d'avenir » is one
// entry, not « avenir »; « je sais pas » is « sais pas ». Each entry counts the respondents whose
// answer has it (once per answer, however often it is written) and remembers how it was spelt.

const TOKEN = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;
// Elided articles and pronouns at the start of a word: « l'usine » → « usine ».
const ELIDED = /^(?:(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu|presqu)['’])+/iu;
// Where a phrase ends: a negation never reaches over a comma or into another item of a list.
const PHRASE_BREAK = /[,;:.!?/()[\]{}\n\r…|+&"«»]+|\s[-–—]\s/gu;
// Words that turn the meaning of their neighbour (the other meaningful words, « personne »,
// « non », stay words of their own).
const NEGATIONS = new Set(['pas', 'sans', 'jamais', 'aucun', 'aucune', 'rien']);

const COMBINING = /\p{M}/u;

type Token = { key: string; neg: boolean; start: number; end: number };
export type TextEntry = { key: string; spelling: string };

// What a word as typed stands for: usually one key; a shorthand (« jsp ») stands for several; a
// stop word or a number for none. Folding is the costly part of a pass over 26,000 answers and a
// survey's vocabulary is small: each spelling is analysed once (the memo is emptied when large).
const analysed = new Map<string, { key: string; neg: boolean }[]>();
function analyse(bare: string): { key: string; neg: boolean }[] {
  let keys = analysed.get(bare);
  if (keys) return keys;
  keys = [];
  for (const w of words(bare)) {
    if (w.length < 2 || /^\d+$/.test(w) || isStopWord(w)) continue;
    const neg = NEGATIONS.has(w);
    keys.push({ key: neg ? w : singular(w), neg });
  }
  if (analysed.size >= 100_000) analysed.clear();
  analysed.set(bare, keys);
  return keys;
}

function tokensOf(text: string, from: number, to: number, out: Token[]) {
  for (const m of text.slice(from, to).matchAll(TOKEN)) {
    const raw = m[0];
    const start = from + m.index! + (ELIDED.exec(raw)?.[0].length ?? 0);
    const end = from + m.index! + raw.length;
    if (start >= end) continue;
    for (const k of analyse(text.slice(start, end))) out.push({ key: k.key, neg: k.neg, start, end });
  }
}

/** The phrases of a text outside the masked spans: [from, to) ranges. */
function phrases(text: string, masked: readonly { start: number; end: number }[]): [number, number][] {
  const open: [number, number][] = [];
  let at = 0;
  for (const m of [...masked].sort((a, b) => a.start - b.start)) {
    if (m.start > at) open.push([at, m.start]);
    at = Math.max(at, m.end);
  }
  if (at < text.length) open.push([at, text.length]);
  const out: [number, number][] = [];
  for (const [from, to] of open) {
    let start = from;
    for (const b of text.slice(from, to).matchAll(PHRASE_BREAK)) {
      out.push([start, from + b.index!]);
      start = from + b.index! + b[0].length;
    }
    out.push([start, to]);
  }
  return out;
}

/**
 * The cloud entries of one answer, in text order. `masked` are the spans the screening masked
 * (answerScreener): nothing inside them becomes an entry, and a mask ends a phrase.
 */
export function textEntries(text: string, masked: readonly { start: number; end: number }[] = []): TextEntry[] {
  const out: TextEntry[] = [];
  // A word has no space inside: only a combining accent needs normalising (« é » typed as e + ´).
  const entry = (a: Token, b: Token = a): TextEntry => {
    const typed = text.slice(a.start, b.end);
    return { key: a === b ? a.key : `${a.key} ${b.key}`, spelling: a === b && !COMBINING.test(typed) ? typed : tidy(typed) };
  };
  for (const [from, to] of phrases(text, masked)) {
    const toks: Token[] = [];
    tokensOf(text, from, to, toks);
    // The last plain word of the phrase, while a trailing negation may still join it.
    let previous: { token: Token; index: number } | undefined;
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (!t.neg) {
        out.push(entry(t));
        previous = { token: t, index: out.length - 1 };
        continue;
      }
      const next = toks[i + 1];
      if (next && !next.neg) {
        // « pas d'avenir », « sans emploi »
        out.push(entry(t, next));
        i++;
      } else if (previous) {
        // « je sais pas », « c'est bien, mais pas » stays « pas »: no previous word in its phrase
        out[previous.index] = entry(previous.token, t);
      } else {
        out.push(entry(t));
      }
      previous = undefined;
    }
  }
  return out;
}

/** The key an analyst's word has in the cloud (for the exclusion list); '' when it is no entry. */
export function cloudKey(word: string): string {
  return textEntries(word)
    .map((e) => e.key)
    .join(' ');
}

export type CloudEntry = {
  key: string;
  /** The most frequent spelling (then the accented one, the shorter…), as the workshops show it. */
  text: string;
  variants: Variant[];
  /** Respondents whose answer has the entry. */
  respondents: number;
  /** The same per comparison group (group code → respondents). */
  byGroup: Map<string, number>;
};

export type CloudTally = {
  /** Respondents who answered (a non-empty text), overall and per group. */
  base: number;
  groupBase: Map<string, number>;
  /** Largest first. */
  entries: CloudEntry[];
};

/** Counts entries over answers in one pass: `add` each answer's entries with its group, then `result`. */
export function createTally() {
  let base = 0;
  const groupBase = new Map<string, number>();
  const counts = new Map<string, { respondents: number; byGroup: Map<string, number>; spellings: Map<string, number> }>();
  return {
    add(entries: readonly TextEntry[], group: string | null) {
      base++;
      if (group !== null) groupBase.set(group, (groupBase.get(group) ?? 0) + 1);
      const seen = new Set<string>();
      for (const e of entries) {
        let c = counts.get(e.key);
        if (!c) counts.set(e.key, (c = { respondents: 0, byGroup: new Map(), spellings: new Map() }));
        c.spellings.set(e.spelling, (c.spellings.get(e.spelling) ?? 0) + 1);
        if (seen.has(e.key)) continue;
        seen.add(e.key);
        c.respondents++;
        if (group !== null) c.byGroup.set(group, (c.byGroup.get(group) ?? 0) + 1);
      }
    },
    result(): CloudTally {
      const entries: CloudEntry[] = [];
      for (const [key, c] of counts) {
        const variants = [...c.spellings].map(([text, count]) => ({ text, count })).sort(compareSpellings);
        entries.push({ key, text: variants[0].text, variants, respondents: c.respondents, byGroup: c.byGroup });
      }
      entries.sort((a, b) => b.respondents - a.respondents || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return { base, groupBase, entries };
    },
  };
}
