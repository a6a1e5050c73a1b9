import { conditionMet, handlerFor, parseWhole, type Choices } from '../questionnaire/engine.js';
import type { Question, Questionnaire } from '../questionnaire/schema.js';
import { otherFieldName, type AnswerRow, type RawValues } from '../questionnaire/types/common.js';
import { OUTSIDE_PMA, type Commune, type Territory } from '../territory/communes.js';
import { ageGroupOf, ageGroupsFor, AGE_GROUP_SUFFIX, sub } from './model.js';

// Synthetic respondents for the demo, the tests and the benchmarks. Each one is built as the form
// fields a browser would post, section by section (conditions on questions and options applied as
// the engine applies them), then validated and turned into answer rows by the engine's parseWhole:
// the rows are exactly those of a real completion.
//
// How they answer comes from a Profile (data keyed by question ids). Questions marked `exact` use
// quotas, so a population of any size reproduces the given shares to the nearest respondent; the
// others are independent weighted draws. Everything is driven by a seeded generator: the same seed
// gives the same population.

export type Weights = Record<string, number>;

export type QuestionProfile = {
  /** Probability of answering when shown (default: 1 if required, else 0.9). */
  answerRate?: number;
  /** Relative weights of the option codes (integer: of the values; multiple: tick shares). */
  weights?: Weights;
  /**
   * Quotas: the population reproduces the shares exactly. Single choice and integer: shares of
   * respondents; multiple choice: `weights` are absolute shares of respondents ticking each option
   * and `exclusiveShare` the share ticking the exclusive option. Needs an unconditional question.
   */
  exact?: boolean;
  /** Weights multiplied by by[code given to the earlier variable `on`] (e.g. answers by genre). */
  factors?: { on: string; by: Record<string, Weights> };
  /** Multiple choice: number of ticks drawn between min and max. */
  ticks?: [number, number];
  /** Multiple choice: share of respondents ticking the exclusive option (« Rien »). */
  exclusiveShare?: number;
  /** Grid: weights of the scale per item (default `weights`). */
  items?: Record<string, Weights>;
  /** Free text: answers drawn from this list. */
  texts?: string[];
  /** Commune: weights of the intercommunalities (cabbalr, call, cahc, hors_pma). */
  epci?: Weights;
};
export type Profile = Record<string, QuestionProfile>;

export type SyntheticRespondent = {
  /** Form fields per section, as posted. */
  drafts: RawValues[];
  /** Answer rows, as parseWhole returns them for completion. */
  rows: AnswerRow[];
  channel: string | null;
  startedHour: string;
  completedHour: string;
};

export type SyntheticOptions = {
  count: number;
  seed: number;
  profile?: Profile;
  territory: Territory;
  /** Channel code → weight; '' = the general link (no channel). */
  channels?: Record<string, number>;
  /** Completion times are spread uniformly over [from, to). */
  from?: Date;
  to?: Date;
};

/** Small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, items: readonly T[], weight: (x: T) => number): T {
  let total = 0;
  for (const x of items) total += Math.max(0, weight(x));
  if (total <= 0) return items[Math.floor(rand() * items.length)];
  let r = rand() * total;
  for (const x of items) {
    r -= Math.max(0, weight(x));
    if (r < 0) return x;
  }
  return items[items.length - 1];
}

function shuffle(rand: () => number, a: number[]): number[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** Integer counts proportional to `shares`, summing to `total` (largest remainder method). */
export function quotas(total: number, shares: number[]): number[] {
  const sum = shares.reduce((a, b) => a + b, 0);
  const exact = shares.map((s) => (sum > 0 ? (s / sum) * total : 0));
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => ({ i, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k].i]++;
  return out;
}

const GENERIC_OTHER = ['En service civique', 'Je ne sais pas encore', 'En pause', 'Un peu de tout', 'Autre chose'];
const GENERIC_TEXT = ['Rien à ajouter.', 'Je ne sais pas.', 'Plus d’activités pour les jeunes.', 'Merci.'];

type Plan = {
  /** Precomputed option index (single, integer) or tick bitmask (multiple) per respondent. */
  values: Int32Array;
  codes: string[];
};

function choiceCodes(q: Question): string[] {
  if (q.type === 'single' || q.type === 'multiple' || q.type === 'ranking') return q.options.map((o) => o.code);
  if (q.type === 'integer') return Array.from({ length: q.max - q.min + 1 }, (_, i) => String(q.min + i));
  return [];
}

/** Phase 1: the quotas of the `exact` questions, for the whole population. */
function planExact(q: Questionnaire, profile: Profile, count: number, rand: () => number): Map<string, Plan> {
  const plans = new Map<string, Plan>();
  for (const question of q.sections.flatMap((s) => s.questions)) {
    const p = profile[question.id];
    if (!p?.exact) continue;
    if (question.showIf || (p.answerRate ?? 1) < 1) throw new Error(`quota impossible sur « ${question.id} » : question conditionnelle ou réponse facultative`);
    const codes = choiceCodes(question);
    const w = (c: string) => p.weights?.[c] ?? 0;
    if (question.type === 'single' || question.type === 'integer') {
      if (question.type === 'single' && question.options.some((o) => o.showIf)) throw new Error(`quota impossible sur « ${question.id} » : option conditionnelle`);
      const remaining = quotas(count, codes.map(w));
      const values = new Int32Array(count);
      const on = p.factors ? plans.get(p.factors.on) ?? planOfDerived(q, plans, p.factors.on) : undefined;
      if (p.factors && !on) throw new Error(`« ${question.id} » dépend de « ${p.factors.on} », qui doit être une question à quotas précédente`);
      const idx = codes.map((_, i) => i);
      for (let i = 0; i < count; i++) {
        const factor = on && p.factors ? p.factors.by[on.codes[on.values[i]]] : undefined;
        // Drawing from what is left of the quotas keeps the totals exact; the factors tilt who gets what.
        const k = pick(rand, idx, (j) => remaining[j] * (factor?.[codes[j]] ?? 1));
        values[i] = k;
        remaining[k]--;
      }
      plans.set(question.id, { values, codes });
    } else if (question.type === 'multiple') {
      if (question.options.some((o) => o.showIf)) throw new Error(`quota impossible sur « ${question.id} » : option conditionnelle`);
      if (question.options.length > 30) throw new Error(`quota impossible sur « ${question.id} » : plus de 30 options`);
      const exclusive = question.options.findIndex((o) => o.exclusive);
      const nExclusive = exclusive >= 0 ? Math.round(count * (p.exclusiveShare ?? 0)) : 0;
      const order = shuffle(rand, Array.from({ length: count }, (_, i) => i));
      const values = new Int32Array(count);
      for (let i = 0; i < nExclusive; i++) values[order[i]] = 1 << exclusive;
      const rest = order.slice(nExclusive);
      // Round-robin over the shuffled non-exclusive respondents: each option goes to distinct
      // people, and everyone gets floor or ceil of the average number of ticks.
      let cursor = 0;
      let ticks = 0;
      question.options.forEach((o, k) => {
        if (k === exclusive) return;
        const c = Math.round(count * w(o.code));
        if (c > rest.length) throw new Error(`quota de « ${o.code} » supérieur au nombre de répondants`);
        for (let j = 0; j < c; j++) values[rest[(cursor + j) % rest.length]] |= 1 << k;
        cursor = (cursor + c) % Math.max(1, rest.length);
        ticks += c;
      });
      if (question.maxChoices && Math.ceil(ticks / Math.max(1, rest.length)) > question.maxChoices) {
        throw new Error(`quotas de « ${question.id} » incompatibles avec maxChoices`);
      }
      if (rest.length && ticks < rest.length) throw new Error(`quotas de « ${question.id} » : des répondants sans aucune case`);
      plans.set(question.id, { values, codes });
    } else throw new Error(`quota non pris en charge pour le type ${question.type}`);
  }
  return plans;
}

/** The age group of a planned integer question, as a plan (so quotas can depend on it). */
function planOfDerived(q: Questionnaire, plans: Map<string, Plan>, id: string): Plan | undefined {
  const [qid, suffix] = id.split('__');
  const question = q.sections.flatMap((s) => s.questions).find((x) => x.id === qid);
  const plan = plans.get(qid);
  const groups = question && ageGroupsFor(question);
  if (suffix !== AGE_GROUP_SUFFIX || !plan || !groups || question.type !== 'integer') return undefined;
  const codes = groups.map((g) => g.code);
  const values = new Int32Array(plan.values.length);
  for (let i = 0; i < values.length; i++) {
    const g = ageGroupOf(groups, Number(plan.codes[plan.values[i]]));
    values[i] = g ? codes.indexOf(g.code) : 0;
  }
  return { values, codes };
}

/** Weighted draw without replacement. */
function pickMany(rand: () => number, codes: string[], weight: (c: string) => number, k: number): string[] {
  const pool = codes.filter((c) => weight(c) > 0);
  const out: string[] = [];
  while (out.length < k && pool.length) {
    const c = pick(rand, pool, weight);
    out.push(c);
    pool.splice(pool.indexOf(c), 1);
  }
  return out;
}

/**
 * The synthetic population, one respondent at a time (constant memory apart from the quota plans:
 * one integer per respondent and exact question).
 */
export function* syntheticRespondents(q: Questionnaire, opts: SyntheticOptions): Generator<SyntheticRespondent> {
  const rand = prng(opts.seed);
  const profile = opts.profile ?? {};
  const plans = planExact(q, profile, opts.count, rand);
  const from = (opts.from ?? new Date('2022-11-25T07:00:00Z')).getTime();
  const to = (opts.to ?? new Date('2023-01-31T22:00:00Z')).getTime();
  const channelCodes = Object.keys(opts.channels ?? { '': 1 });
  const communes = communePools(opts.territory);

  for (let i = 0; i < opts.count; i++) {
    const choices: Choices = new Map();
    /** Single codes so far, including derived ones (age group), for `factors`. */
    const given = new Map<string, string>();
    const drafts: RawValues[] = q.sections.map((section) => {
      const raw: RawValues = {};
      for (const question of section.questions) {
        if (!conditionMet(question.showIf, choices)) continue;
        const p = profile[question.id] ?? {};
        const plan = plans.get(question.id);
        if (!plan && rand() >= (p.answerRate ?? (question.required ? 1 : 0.9))) continue;
        // Multiple choice plans hold a bitmask of ticks, the others an option index.
        const planned = plan && question.type !== 'multiple' ? plan.codes[plan.values[i]] : undefined;
        const mask = plan && question.type === 'multiple' ? plan.values[i] : undefined;
        // `answer` records the chosen codes in `choices` as the engine would, for later conditions.
        answer(question, p, planned, mask, raw, choices, given, rand, communes);
      }
      return raw;
    });
    const whole = parseWhole(q, drafts, opts.territory);
    if (whole.firstInvalid !== -1) {
      const errors = whole.sections[whole.firstInvalid].errors.map((e) => `${e.field}: ${e.message}`).join('; ');
      throw new Error(`répondant synthétique ${i} invalide : ${errors}`);
    }
    const completed = from + Math.floor(rand() * (to - from));
    const channel = pick(rand, channelCodes, (c) => opts.channels?.[c] ?? 1);
    yield {
      drafts,
      rows: whole.rows,
      channel: channel || null,
      completedHour: new Date(completed).toISOString().slice(0, 13),
      startedHour: new Date(completed - Math.floor(rand() * 3_600_000)).toISOString().slice(0, 13),
    };
  }
}

type CommunePools = { byEpci: Map<string, Commune[]> };

function communePools(t: Territory): CommunePools {
  const byEpci = new Map<string, Commune[]>();
  for (const c of t.communes) {
    const inPma = c.epci !== OUTSIDE_PMA.code;
    // Outside the PMA: the larger towns of the Nord and the Pas-de-Calais, where most young
    // people from elsewhere who answer live.
    if (!inPma && !((c.department === '62' || c.department === '59') && c.population >= 15000)) continue;
    const list = byEpci.get(c.epci) ?? [];
    list.push(c);
    byEpci.set(c.epci, list);
  }
  return { byEpci };
}

function answer(
  question: Question,
  p: QuestionProfile,
  planned: string | undefined,
  plannedMask: number | undefined,
  raw: RawValues,
  choices: Choices,
  given: Map<string, string>,
  rand: () => number,
  communes: CommunePools,
) {
  const factor = (code: string) => {
    if (!p.factors) return 1;
    const on = given.get(p.factors.on);
    return (on !== undefined ? p.factors.by[on]?.[code] : undefined) ?? 1;
  };
  const weight = (code: string, fallback = 1) => (p.weights ? (p.weights[code] ?? 0) : fallback) * factor(code);
  const one = (list: readonly string[]) => list[Math.floor(rand() * list.length)];
  switch (question.type) {
    case 'single': {
      const visible = question.options.filter((o) => conditionMet(o.showIf, choices));
      const o = planned !== undefined ? visible.find((x) => x.code === planned)! : pick(rand, visible, (x) => weight(x.code));
      raw[question.id] = o.code;
      if (o.other) raw[otherFieldName(question.id, o.code)] = one(GENERIC_OTHER);
      choices.set(question.id, [{ code: o.code }]);
      given.set(question.id, o.code);
      break;
    }
    case 'multiple': {
      const visible = question.options.filter((o) => conditionMet(o.showIf, choices));
      let codes: string[];
      if (plannedMask !== undefined) codes = question.options.filter((_, k) => plannedMask & (1 << k)).map((o) => o.code);
      else {
        const exclusive = visible.find((o) => o.exclusive);
        if (exclusive && rand() < (p.exclusiveShare ?? 0.05)) codes = [exclusive.code];
        else {
          const [lo, hi] = p.ticks ?? [1, Math.min(3, question.maxChoices ?? 3)];
          const k = Math.min(lo + Math.floor(rand() * (hi - lo + 1)), question.maxChoices ?? Infinity);
          codes = pickMany(
            rand,
            visible.filter((o) => !o.exclusive).map((o) => o.code),
            (c) => weight(c),
            Math.max(1, k),
          );
        }
      }
      raw[question.id] = codes;
      for (const o of question.options) {
        if (o.other && codes.includes(o.code)) raw[otherFieldName(question.id, o.code)] = one(GENERIC_OTHER);
      }
      // Stored in questionnaire order by the engine; the conditions only look at membership.
      choices.set(question.id, codes.map((code) => ({ code })));
      break;
    }
    case 'grid': {
      const fields = handlerFor(question).fieldNames(question);
      const chosen: { item: string; code: string }[] = [];
      question.items.forEach((item, k) => {
        if (rand() < 0.03) return; // an item left blank now and then
        const w = p.items?.[item.id] ?? p.weights;
        const s = pick(rand, question.scale, (x) => (w ? (w[x.code] ?? 0) : 1));
        raw[fields[k]] = s.code;
        chosen.push({ item: item.id, code: s.code });
        given.set(sub(question.id, item.id), s.code);
      });
      if (chosen.length) choices.set(question.id, chosen);
      break;
    }
    case 'ranking': {
      const fields = handlerFor(question).fieldNames(question);
      const ranked = pickMany(rand, question.options.map((o) => o.code), (c) => weight(c), question.picks);
      ranked.forEach((c, k) => (raw[fields[k]] = c));
      choices.set(question.id, ranked.map((code) => ({ code })));
      break;
    }
    case 'text':
    case 'longtext':
      raw[question.id] = one(p.texts?.length ? p.texts : GENERIC_TEXT);
      break;
    case 'integer': {
      const values = Array.from({ length: question.max - question.min + 1 }, (_, k) => String(question.min + k));
      const v = planned ?? pick(rand, values, (x) => weight(x));
      raw[question.id] = v;
      const groups = ageGroupsFor(question);
      const g = groups && ageGroupOf(groups, Number(v));
      if (g) given.set(sub(question.id, AGE_GROUP_SUFFIX), g.code);
      break;
    }
    case 'commune': {
      const epcis = [...communes.byEpci.keys()];
      const epci = pick(rand, epcis, (e) => (p.epci ? (p.epci[e] ?? 0) : 1));
      const c = pick(rand, communes.byEpci.get(epci)!, (x) => Math.sqrt(x.population));
      // The pick among suggestions: the field the engine reads first.
      const fields = handlerFor(question).fieldNames(question);
      raw[question.id] = c.name;
      raw[fields[1]] = c.insee;
      given.set(question.id, c.insee);
      given.set(`${question.id}__epci`, c.epci);
      break;
    }
  }
}
