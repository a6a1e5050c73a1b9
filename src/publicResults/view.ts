import type { OptionResult, PublishedResults, QuestionResult, ResultTable } from '../results/aggregate.js';
import { scaleSides } from '../results/figures.js';
import { sub } from '../results/model.js';
import type { Question, Questionnaire } from '../questionnaire/schema.js';
import { fr } from '../strings.js';

// The public results page for the young people: what the protected results (src/privacy/results.ts,
// computed over released responses) become on a phone. Only closed questions of the definition
// can be chosen: free text, and anything derived from it (« a répondu », themes of a codebook),
// never reaches this page.

const t = fr.publicResults;

/** Question types an admin may publish: answers picked from a list. */
const PUBLISHABLE: ReadonlySet<Question['type']> = new Set(['single', 'multiple', 'grid', 'ranking']);

export type PublishableQuestion = { id: string; label: string; section: string };

export function publishableQuestions(q: Questionnaire): PublishableQuestion[] {
  return q.sections.flatMap((s) => s.questions.filter((x) => PUBLISHABLE.has(x.type)).map((x) => ({ id: x.id, label: x.label, section: s.title })));
}

const int = new Intl.NumberFormat('fr-FR');
const pct = (p: number) => `${Math.round(p)}\u202f%`;

type Option = OptionResult<number | null>;

export type BarView = { label: string; value: string; width: number; hidden: boolean; top: boolean };
export type SegmentView = { label: string; value: string; x: number; width: number; colorClass: string };
export type StatementView = { label: string; headline?: string; segments: SegmentView[]; hidden: boolean; hiddenText?: string };
export type CardView = {
  id: string;
  question: string;
  headline?: string;
  base?: string;
  note?: string;
  bars?: BarView[];
  statements?: StatementView[];
  hiddenText?: string;
  hasHidden: boolean;
};

/**
 * Percentages as the page shows them: of the question's respondents when that base is shown;
 * when disclosure control hid it (a small « sans réponse »), of everyone counted, which gives
 * nothing away (the count is shown and so is the number of respondents).
 */
function shares(table: ResultTable<number | null>, responses: number): { of: (o: Option) => number | null; base?: string } {
  if (table.base !== null) {
    const base = table.base;
    return { of: (o) => (o.count === null || base === 0 ? null : (100 * o.count) / base), base: t.base(int.format(base)) };
  }
  return { of: (o) => (o.count === null || responses === 0 ? null : (100 * o.count) / responses) };
}

const hiddenValue = (o: Option, k: number) => (o.reason === 'small' ? t.small(k) : t.complementary);
// From the percentage as shown (« 45 % » reads « 5 sur 10 », never « 4 sur 10 »).
const tens = (p: number) => Math.round(Math.round(p) / 10);

function barsCard(q: QuestionResult<number | null>, table: ResultTable<number | null>, responses: number, k: number, sorted: boolean, note?: string): CardView {
  const s = shares(table, responses);
  const rows = table.options.map((o) => ({ o, p: s.of(o) }));
  const shown = rows.filter((r) => r.p !== null);
  const ordered = sorted ? [...shown].sort((a, b) => b.p! - a.p!).concat(rows.filter((r) => r.p === null)) : rows;
  const top = shown.reduce<(typeof shown)[number] | undefined>((a, r) => (!a || r.p! > a.p! ? r : a), undefined);
  const hasHidden = rows.some((r) => r.p === null);
  if (!shown.length || !top || top.p === 0) return { id: q.id, question: q.label, hiddenText: t.hiddenTable, hasHidden: true };
  return {
    id: q.id,
    question: q.label,
    // « le plus choisi » only when no option is hidden (a hidden one may be chosen more).
    headline: !table.multiple ? t.headlineSingle(tens(top.p!), top.o.label) : hasHidden ? t.headlineChosen(tens(top.p!), top.o.label) : t.headlineMultiple(tens(top.p!), top.o.label),
    base: s.base,
    note,
    bars: ordered.map((r) => ({
      label: r.o.label,
      value: r.p === null ? hiddenValue(r.o, k) : pct(r.p),
      width: r.p === null ? 0 : Math.max(0, Math.min(100, Math.round(r.p * 10) / 10)),
      hidden: r.p === null,
      top: r === top,
    })),
    hasHidden,
  };
}

function statementsCard(q: QuestionResult<number | null>, question: Extract<Question, { type: 'grid' }>, responses: number, k: number): CardView {
  const sides = scaleSides(question.scale);
  // Left to right: the most positive answer first, as one reads « d’accord » before « pas d’accord »;
  // « ne sait pas » last.
  const order = [...[...sides.positive].reverse(), ...(sides.neutral ? [sides.neutral] : []), ...[...sides.negative].reverse(), ...sides.apart];
  let hasHidden = false;
  const statements = question.items.map((item): StatementView => {
    const table = q.tables.find((x) => x.id === sub(question.id, item.id));
    const label = item.label;
    if (!table) return { label, segments: [], hidden: true, hiddenText: t.hiddenStatement };
    const s = shares(table, responses);
    const byCode = new Map(table.options.map((o) => [o.code, o]));
    let x = 0;
    const segments: SegmentView[] = [];
    let hidden = 0;
    for (const step of order) {
      const o = byCode.get(step.code);
      if (!o) continue;
      const p = s.of(o);
      if (p === null) {
        hidden++;
        continue;
      }
      const width = Math.round(p * 10) / 10;
      segments.push({ label: o.label, value: pct(p), x, width, colorClass: `seg-${step.color.slice(2)}` });
      x += width;
    }
    if (!segments.some((g) => g.width > 0)) {
      hasHidden = true;
      return { label, segments: [], hidden: true, hiddenText: t.hiddenStatement };
    }
    if (hidden) {
      // The hidden answers together (their sum is known to anyone who reads the shown ones).
      hasHidden = true;
      segments.push({ label: t.complementary, value: '', x, width: Math.max(0, Math.round((100 - x) * 10) / 10), colorClass: 'seg-hidden' });
    }
    // « 6 sur 10 ont répondu « D’accord » ou « Plutôt d’accord » », when that side is all shown.
    const positive = sides.positive.map((p) => byCode.get(p.code)).filter((o): o is Option => o !== undefined);
    const positiveShares = positive.map((o) => s.of(o));
    const headline =
      positive.length && positiveShares.every((p) => p !== null)
        ? t.headlineAgree(tens(positiveShares.reduce<number>((a, p) => a + p!, 0)), [...positive].reverse().map((o) => o.label))
        : undefined;
    return { label, headline, segments, hidden: false };
  });
  if (statements.every((x) => x.hidden)) return { id: q.id, question: q.label, hiddenText: t.hiddenTable, hasHidden: true };
  return { id: q.id, question: q.label, note: t.statementsNote, statements, hasHidden };
}

export type PublicPageView = {
  intro: string;
  responses?: string;
  withheld?: string;
  nothingChosen?: string;
  cards: CardView[];
  protection: string;
  hiddenLegend?: string;
};

/**
 * The page from protected results (protectResults over released responses) and the admin's
 * choice. Questions that are not publishable are skipped whatever the settings say.
 */
export function publicPageView(q: Questionnaire, results: PublishedResults, settings: { intro: string; questions: readonly string[] }, k: number): PublicPageView {
  const base = { intro: settings.intro, protection: t.protection(k), cards: [] as CardView[] };
  if (results.disclosure?.audience !== 'protected') throw new Error('la page publique ne montre que des résultats protégés');
  if (results.responses === null || results.disclosure.withheld) return { ...base, withheld: t.withheld(k) };
  const chosen = new Set(settings.questions);
  const responses = results.responses;
  const cards: CardView[] = [];
  for (const s of q.sections) {
    for (const question of s.questions) {
      if (!chosen.has(question.id) || !PUBLISHABLE.has(question.type)) continue;
      const r = results.questions.find((x) => x.id === question.id);
      if (!r) continue;
      if (question.type === 'grid') cards.push(statementsCard(r, question, responses, k));
      else if (question.type === 'ranking') {
        const table = r.tables.find((x) => x.id === sub(question.id, `top${question.picks}`));
        if (table) cards.push(barsCard(r, table, responses, k, true, t.rankingNote(question.picks)));
      } else {
        const table = r.tables.find((x) => x.id === question.id);
        if (table) cards.push(barsCard(r, table, responses, k, question.type === 'multiple', question.type === 'multiple' ? t.multipleNote : undefined));
      }
    }
  }
  return {
    ...base,
    responses: t.lead(int.format(responses)),
    cards,
    nothingChosen: cards.length ? undefined : t.nothingChosen,
    hiddenLegend: cards.some((c) => c.hasHidden) ? t.hiddenLegend(k) : undefined,
  };
}
