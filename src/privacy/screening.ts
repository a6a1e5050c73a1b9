import { createRequire } from 'node:module';
import { fold } from '../text/normalise.js';

// Personal data typed into free text by young people (names, phone numbers, e-mail addresses,
// street addresses, social-network handles), found and masked before any free text is shown
// outside the analysts' coding screens: word clouds, the synthesis, `screened=1` exports, the
// workshop wall. It masks what it recognises; what it does not catch is listed in the README.

export type PiiKind = 'telephone' | 'email' | 'pseudo' | 'lien' | 'adresse' | 'nom' | 'masque';
export type Finding = { kind: PiiKind; start: number; end: number; text: string };

export const MASKS: Record<PiiKind, string> = {
  telephone: '[téléphone]',
  email: '[e-mail]',
  pseudo: '[pseudo]',
  lien: '[lien]',
  adresse: '[adresse]',
  nom: '[nom]',
  // Only ever set by hand (an analyst's manual mask, src/privacy/answerScreening.ts).
  masque: '[masqué]',
};

// French numbers: 0X XX XX XX XX with spaces, dots, dashes or nothing; +33 / 0033 then 9 digits
// (with an optional (0)); the digits may be grouped 2 by 2 or not.
const SEP = String.raw`[\s.\-]?`;
// Slashes only when every separator is one (« 06/12/34/56/78 »): a date never has five parts.
const PHONE = new RegExp(
  String.raw`(?<![\d+])(?:(?:\+|00)\s?33${SEP}(?:\(0\)\s?)?[1-9](?:${SEP}\d{2}){4}|0[1-9](?:${SEP}\d{2}){4}|0[1-9](?:/\d{2}){4})(?![\d/])`,
  'g',
);
const EMAIL = /[\p{L}\d._%+-]+@[\p{L}\d.-]+\.[\p{L}]{2,}/gu;
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+|\b(?:instagram|tiktok|snapchat|facebook|twitter|x|youtube|twitch|discord)\.(?:com|gg)\/[^\s<>"]+/giu;
// « @pseudo » (not an e-mail: nothing glued before the @).
const HANDLE = /(?<![\p{L}\d._%+-])@[\p{L}\d._]{2,30}/gu;
// « snap : lucas_62 », « insta lucas.62 », « mon tiktok c'est xx »: a network word then a pseudo-like token.
const NETWORK_HANDLE = /\b(?:snap(?:chat)?|insta(?:gram)?|tiktok|tik tok|discord|twitch|ig)\b\s*(?::|=|->|c\s?['’]?\s?est|est)?\s*@?([\p{L}\d._#]{3,30})/giu;
// A number, then a kind of street, then up to five words of its name: « 12 rue Jean Jaurès »,
// « 3 bis, avenue de la République », « 45 bd Basly ».
const STREET_TYPES = String.raw`rue|avenue|av\.?|boulevard|bd|allée|allee|impasse|chemin|place|route|rte|résidence|residence|cité|cite|quai|cours|square|sentier|passage|lotissement|hameau|faubourg|voie`;
const ADDRESS = new RegExp(
  // The name's words stop at a word that ends a street name (« à Lens », « et », « près de »).
  String.raw`\b\d{1,4}\s?(?:bis|ter|b)?,?\s+(?:${STREET_TYPES})\b(?:\s+(?:(?:de|du|des|la|le|l['’]|d['’])\s*)?(?!(?:à|a|au|aux|sur|près|pres|vers|en|dans|et|chez|pour|avec|mais|donc|car|ou|où|c['’]est)(?=[\s,.;!?]|$))[\p{Lu}\p{Ll}][\p{L}'’-]*){1,5}`,
  'giu',
);
// A capitalised word (or initial) after a first name: the shape of a family name.
const WORD = /[\p{L}][\p{L}'’-]*\.?/gu;

// Capitalised words that follow a first name without being family names: institutions and
// places where young people meet (« France Travail », « Mission Locale »).
const NOT_FAMILY = new Set(
  ['travail', 'emploi', 'locale', 'ville', 'metropole', 'region', 'nord', 'pas-de-calais', 'lycee', 'college', 'universite', 'stade', 'centre', 'rue', 'avenue', 'place', 'et', 'ou'].map(fold),
);
// First names that are also common words a young person writes with a capital at the start of a
// sentence (« Rose », « Pierre », « France »): only masked after « je m'appelle », « moi c'est ».
const AMBIGUOUS = new Set(['rose', 'pierre', 'france', 'claire', 'marine', 'lens', 'avril', 'ange', 'prince', 'rayan', 'merci', 'bonjour', 'salut', 'aime', 'jade', 'olive', 'victoire', 'marguerite', 'violette', 'colombe', 'aurore', 'sage', 'patience', 'constance', 'grace', 'paris', 'mercedes', 'lola', 'iris', 'capucine', 'prudence', 'vincent', 'laurent', 'martin', 'margot'].map(fold));

let firstNames: Set<string> | undefined;
/** The French first names of gender-detection-from-name (about 36,000, lower case), loaded on first use. */
function names(): Set<string> {
  if (!firstNames) {
    const list = createRequire(import.meta.url)('gender-detection-from-name/names/fr.js') as Map<string, string>;
    firstNames = new Set([...list.keys()].map(fold).filter((n) => n.length >= 3));
  }
  return firstNames;
}

const isCapitalised = (w: string) => /^\p{Lu}/u.test(w);
const isFamilyShape = (w: string) => isCapitalised(w) && !NOT_FAMILY.has(fold(w.replace(/\.$/, ''))) && (w.length >= 2);

// « Mme Dupont », « M. Leroy »: a civility then a family-name shape (the civility stays).
const CIVILITIES = new Set(['m', 'mr', 'mme', 'mlle', 'monsieur', 'madame', 'mademoiselle']);

function findNames(text: string, out: Finding[]) {
  const ws = [...text.matchAll(WORD)].map((m) => ({ w: m[0], start: m.index!, end: m.index! + m[0].length }));
  for (let i = 0; i < ws.length; i++) {
    const { w, start } = ws[i];
    // Names and civilities start with a capital: most words are skipped before folding (costly).
    if (!isCapitalised(w)) continue;
    const key = fold(w.replace(/\.$/, ''));
    const after = ws[i + 1];
    if (CIVILITIES.has(key) && isCapitalised(w) && after && after.start - ws[i].end <= 2 && isFamilyShape(after.w) && !CIVILITIES.has(fold(after.w.replace(/\.$/, '')))) {
      out.push({ kind: 'nom', start: after.start, end: after.end, text: after.w });
      i++;
      continue;
    }
    if (!isCapitalised(w) || !names().has(key)) continue;
    const prev = ws
      .slice(Math.max(0, i - 3), i)
      .map((x) => fold(x.w))
      .join(' ');
    const introduced = /(?:appelle|suis|c'est|cest|nom est|prenom est|signe)$/.test(prev.replace(/’/g, "'"));
    const next = ws[i + 1];
    // « Lucas Martin », « Emma DUPONT », « Inès B. »: first name then a family-name shape.
    if (next && next.start - ws[i].end <= 2 && isFamilyShape(next.w) && !(AMBIGUOUS.has(key) && !introduced)) {
      out.push({ kind: 'nom', start, end: next.end, text: text.slice(start, next.end) });
      i++;
    } else if (introduced) {
      // « je m'appelle Lucas », « moi c'est Emma »: a first name introduced as one.
      const end = next && isFamilyShape(next.w) && next.start - ws[i].end <= 2 ? next.end : ws[i].end;
      out.push({ kind: 'nom', start, end, text: text.slice(start, end) });
    }
  }
}

/** Every piece of personal data found, in text order, without overlaps (the first kind wins). */
export function findPersonalData(text: string): Finding[] {
  const found: Finding[] = [];
  const add = (kind: PiiKind, re: RegExp, group = 0) => {
    for (const m of text.matchAll(re)) {
      const part = m[group];
      const start = m.index! + (group ? m[0].indexOf(part) : 0);
      found.push({ kind, start, end: start + part.length, text: part });
    }
  };
  // Each pattern only where its mark can be (an @, a dot or slash, a digit): most answers have none.
  const at = text.includes('@');
  const digit = /\d/.test(text);
  if (at) add('email', EMAIL);
  if (/[./]/.test(text)) add('lien', URL_RE);
  if (digit) add('telephone', PHONE);
  if (at) add('pseudo', HANDLE);
  add('pseudo', NETWORK_HANDLE, 1);
  if (digit) add('adresse', ADDRESS);
  findNames(text, found);
  const order: PiiKind[] = ['email', 'lien', 'telephone', 'adresse', 'pseudo', 'nom'];
  found.sort((a, b) => a.start - b.start || order.indexOf(a.kind) - order.indexOf(b.kind) || b.end - a.end);
  const out: Finding[] = [];
  for (const f of found) {
    const last = out[out.length - 1];
    if (last && f.start < last.end) continue;
    out.push(f);
  }
  return out;
}

export type Span = { start: number; end: number; kind?: PiiKind };

/**
 * The text with every piece of personal data replaced by its mask (« [téléphone] »…), and what was
 * masked. `extra` are spans masked by hand (kind « [nom] » unless told): they add to what is
 * found, and overlapping spans merge into one mask (the first one's kind), so that a hand-masked
 * passage reaching past an automatic finding is masked whole.
 * Survey answers go through answerScreener (answerScreening.ts), which adds the analysts' masks.
 */
export function screen(text: string, extra: readonly Span[] = []): { text: string; masked: Finding[] } {
  const findings = findPersonalData(text);
  for (const e of extra) {
    if (e.start >= 0 && e.end <= text.length && e.start < e.end) findings.push({ kind: e.kind ?? 'nom', start: e.start, end: e.end, text: text.slice(e.start, e.end) });
  }
  findings.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Finding[] = [];
  for (const f of findings) {
    const last = kept[kept.length - 1];
    if (last && f.start < last.end) {
      if (f.end > last.end) kept[kept.length - 1] = { ...last, end: f.end, text: text.slice(last.start, f.end) };
      continue;
    }
    kept.push({ ...f });
  }
  let out = '';
  let at = 0;
  for (const f of kept) {
    out += text.slice(at, f.start) + MASKS[f.kind];
    at = f.end;
  }
  return { text: out + text.slice(at), masked: kept };
}
