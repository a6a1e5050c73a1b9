import { fra } from 'stopword';

// French text normalisation shared by every feature that groups or matches what people typed:
// the workshops' word cloud, the survey's word cloud, keyword rules for coding free text.
// It groups the way a reader would (case, accents, elisions, plurals, stop words) and no further:
// no stemming, so « chaîne » and « chaud », « industrie » and « industriel » stay apart.

/** Folds case, ligatures, accents and typographic apostrophes: « L’Œuvre » → « l'oeuvre ». */
export function fold(s: string): string {
  return s
    .normalize('NFKC')
    .replace(/[\u2019\u2018\u02bc\u2032\u00b4`]/g, "'")
    .toLocaleLowerCase('fr')
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '');
}

// Elided articles and pronouns before an apostrophe: « l'usine », « d'usines », « qu'on ».
const ELISIONS = new Set(['l', 'd', 'j', 'm', 'n', 's', 't', 'c', 'qu', 'jusqu', 'lorsqu', 'puisqu', 'quoiqu', 'presqu']);

// Negation and absence change the meaning (« pas d'avenir » is not « avenir »): they stay words.
// « ne » goes: spoken French drops it, so « je sais pas » and « je ne sais pas » group together.
const MEANINGFUL = new Set(['pas', 'sans', 'rien', 'jamais', 'aucun', 'aucune', 'personne', 'non']);
const STOP_WORDS = new Set([...fra.map(fold), 'ne', 'n'].filter((w) => !MEANINGFUL.has(w)));

// Teenagers' shorthand read as the words it stands for.
const ALIASES: Record<string, string[]> = { jsp: ['sais', 'pas'], chepa: ['sais', 'pas'] };

// Words whose final -s or -x is not a plural mark (and the town of Lens).
const INVARIABLE = new Set(
  (
    'sais sait pays temps cours corps fois bras dos fils repas mois bois souris avis bus gaz prix choix voix paix noix croix poids ' +
    'progres acces succes proces exces ailleurs alors toujours jamais apres tres plus moins sans vers sous dans hors mais ' +
    'puis depuis parfois autrefois tous ours jus virus campus bonus focus terminus cactus processus consensus dessus ' +
    'dessous abus refus talus obus gras bas gros frais epais mauvais francais anglais pas lens paris jadis tapis radis ' +
    'parcours discours concours secours recours velours remords mepris permis compris surpris assis gris precis expres ' +
    ' chaos cosmos pathos rebus faux chaux taux deux trois six dix heureux nombreux dangereux serieux joyeux'
  ).split(' '),
);
// Plurals in -aux whose singular is not in -al.
const AUX_SINGULAR: Record<string, string> = { travaux: 'travail', vitraux: 'vitrail', emaux: 'email', coraux: 'corail', baux: 'bail', soupiraux: 'soupirail' };
// Nouns in -eu whose plural takes an x (adjectives in -eux are the same in both numbers).
const EUX_NOUNS = new Set(['jeux', 'feux', 'lieux', 'cheveux', 'neveux', 'voeux', 'dieux', 'milieux', 'enjeux', 'aveux', 'epieux', 'essieux']);

/** The singular of a folded French word, when its ending marks a plural; otherwise the word. */
export function singular(w: string): string {
  if (w.length <= 3 || INVARIABLE.has(w) || /\d/.test(w)) return w;
  if (w in AUX_SINGULAR) return AUX_SINGULAR[w];
  if (w.endsWith('eaux')) return w.slice(0, -1);
  if (w.endsWith('aux')) return `${w.slice(0, -3)}al`;
  if (w.endsWith('oux')) return w.slice(0, -1);
  if (EUX_NOUNS.has(w)) return w.slice(0, -1);
  if (w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/** Folded words of a text, elisions split off: « L'usine d'à côté » → l usine d a cote. */
export function words(text: string): string[] {
  const out: string[] = [];
  // Letters and digits, with inner apostrophes and hyphens (« aujourd'hui », « peut-être »).
  for (const raw of fold(text).match(/[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*/gu) ?? []) {
    let w = raw;
    for (;;) {
      const i = w.indexOf("'");
      if (i < 0 || !ELISIONS.has(w.slice(0, i))) break;
      out.push(w.slice(0, i));
      w = w.slice(i + 1);
    }
    // « éco-responsable » and « écoresponsable » are one word.
    w = w.replace(/-/g, '');
    if (w in ALIASES) out.push(...ALIASES[w]);
    else out.push(w);
  }
  return out;
}

export const isStopWord = (folded: string) => STOP_WORDS.has(folded);

/**
 * The words that carry the meaning, singular: stop words dropped unless nothing would be left
 * (« pour moi » stays « pour moi »).
 */
export function contentWords(text: string): string[] {
  const all = words(text);
  const kept = all.filter((w) => !STOP_WORDS.has(w));
  return (kept.length ? kept : all).map(singular);
}

/** The grouping key of a short entry: « Les usines » and « l'USINE » → « usine ». Empty if no word. */
export function entryKey(text: string): string {
  return contentWords(text).join(' ');
}

/** The text as typed, tidied: trimmed, inner white space collapsed. */
export function tidy(text: string): string {
  return text.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

export type Variant = { text: string; count: number };
export type EntryGroup = { key: string; text: string; count: number; variants: Variant[] };

const accentCount = (s: string) => (s.normalize('NFD').match(/\p{M}/gu) ?? []).length;
const upperCount = (s: string) => (s.match(/\p{Lu}/gu) ?? []).length;
const collator = new Intl.Collator('fr', { sensitivity: 'base' });

/** Which of two spellings to display: the more frequent; then the accented one (« écologie » over
 * « ecologie »: typed without accents on a phone far more often than wrongly with them); then the
 * one with fewer words (« Usines » over « l'usine »); then fewer capitals (« usine » over
 * « USINE »); then the shorter. */
function better(a: Variant, b: Variant): number {
  return (
    b.count - a.count ||
    accentCount(b.text) - accentCount(a.text) ||
    words(a.text).length - words(b.text).length ||
    upperCount(a.text) - upperCount(b.text) ||
    a.text.length - b.text.length ||
    collator.compare(a.text, b.text)
  );
}

/** The order of spellings a cloud displays (best first): the survey's word cloud sorts with it too. */
export const compareSpellings = better;

/**
 * Groups short entries (word-cloud answers) the way a reader would. Each group shows its most
 * frequent spelling as typed, with every spelling and its count. Largest groups first.
 */
export function groupEntries(entries: Iterable<string>): EntryGroup[] {
  const groups = new Map<string, Map<string, number>>();
  for (const entry of entries) {
    const text = tidy(entry);
    const key = entryKey(text);
    if (!key) continue;
    let spellings = groups.get(key);
    if (!spellings) groups.set(key, (spellings = new Map()));
    spellings.set(text, (spellings.get(text) ?? 0) + 1);
  }
  const out: EntryGroup[] = [];
  for (const [key, spellings] of groups) {
    const variants = [...spellings].map(([text, count]) => ({ text, count })).sort(better);
    out.push({ key, text: variants[0].text, count: variants.reduce((n, v) => n + v.count, 0), variants });
  }
  return out.sort((a, b) => b.count - a.count || collator.compare(a.text, b.text));
}

/**
 * Keyword rules for coding free text: a keyword (one or more words) matches a text when its
 * content words appear there in a row, after the same normalisation: « usine » matches « Usines »
 * and « l'usine », « conditions de travail » matches « des conditions de travail dures ». A final
 * « * » matches the start of a word: « pollu* » matches « pollution », « polluée », « polluants ».
 */
export function keywordMatcher(keywords: Iterable<string>): (text: string) => string[] {
  const list = [...keywords];
  const index = keywordIndex(list);
  return (text: string) => index(contentWords(text)).map((i) => list[i]);
}

type Rule = { index: number; words: string[]; prefix: boolean };

/** The content words of a keyword and whether its last word is a prefix (« pollu* »). */
export function keywordWords(keyword: string): { words: string[]; prefix: boolean } {
  const prefix = /[\p{L}\p{N}]\*\s*$/u.test(keyword);
  if (!prefix) return { words: contentWords(keyword), prefix };
  const all = words(keyword);
  const kept = all.filter((w) => !STOP_WORDS.has(w));
  const ws = kept.length ? kept : all;
  // The prefix is matched as typed (folded): « emploi* » must not lose anything to the plural rule.
  return { words: [...ws.slice(0, -1).map(singular), ws[ws.length - 1]].filter(Boolean), prefix };
}

/**
 * The keywords compiled once for many texts: given a text's content words (contentWords, computed
 * once per text however many keywords there are), the indices of the keywords it contains.
 * Rules are looked up by their first word, so the cost grows with the text's length, not with the
 * number of keywords.
 */
export function keywordIndex(keywords: readonly string[]): (contentWordsOfText: readonly string[]) => number[] {
  const byFirst = new Map<string, Rule[]>();
  const prefixFirst: Rule[] = [];
  keywords.forEach((k, index) => {
    const { words: ws, prefix } = keywordWords(k);
    if (!ws.length) return;
    const rule = { index, words: ws, prefix };
    if (prefix && ws.length === 1) prefixFirst.push(rule);
    else {
      let list = byFirst.get(ws[0]);
      if (!list) byFirst.set(ws[0], (list = []));
      list.push(rule);
    }
  });
  return (ws) => {
    const found = new Set<number>();
    for (let i = 0; i < ws.length; i++) {
      for (const r of byFirst.get(ws[i]) ?? []) if (!found.has(r.index) && runAt(ws, i, r)) found.add(r.index);
      for (const r of prefixFirst) if (!found.has(r.index) && ws[i].startsWith(r.words[0])) found.add(r.index);
    }
    return [...found].sort((a, b) => a - b);
  };
}

function runAt(haystack: readonly string[], at: number, rule: Rule): boolean {
  const needle = rule.words;
  if (at + needle.length > haystack.length) return false;
  const last = needle.length - 1;
  for (let j = 0; j < last; j++) if (haystack[at + j] !== needle[j]) return false;
  return rule.prefix ? haystack[at + last].startsWith(needle[last]) : haystack[at + last] === needle[last];
}
