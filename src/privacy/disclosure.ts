import type { Role } from '../staff/store.js';

// Disclosure control: who may see a figure computed on how few people (issue 9). The one module
// that owns these rules; the dashboard applies them through protectResults
// (src/privacy/results.ts), and the workshop projector, the public results page and crosstabs
// are meant to call the same functions on their own cells.
//
// Rules, for an audience that is not 'full' (anyone who is not an analyst or an admin):
//  1. Selection threshold: a selection of fewer than K respondents shows no figure at all
//     (selectionWithheld).
//  2. Primary suppression: a cell counting 1 to K−1 respondents is hidden (« moins de K »).
//  3. Complementary suppression: in every group of cells whose total the viewer knows, enough
//     other cells are hidden that no hidden cell can be narrowed down beyond what « moins de K »
//     already says (suppressGroup, suppressTable).
//  4. Steps of K: protected figures are computed over released responses only (migration 011),
//     released K at a time, so comparing two moments tells nothing about one new response.
//  5. Filters: only coarse profile variables (allowedFilterVariables / forbiddenFilters).
//
// Zero cells stay visible: a 0 counts nobody, and hiding it would not protect any hidden cell (its
// value is not part of what is hidden). What a 0, or a cell equal to the group's total, says about
// a whole group of at least K people (« aucun ne… », « tous… ») is accepted, as everywhere in
// official statistics; the README says so.

/** 'full': analysts and admins see every figure. 'protected': everyone else. */
export type Audience = 'full' | 'protected';

export function audienceOf(role: Role | null | undefined): Audience {
  return role === 'admin' || role === 'analyst' ? 'full' : 'protected';
}

/**
 * Why a cell is hidden: 'small' counts 1 to K−1 respondents (shown « moins de K »);
 * 'complementary' is hidden only so that a small cell cannot be recomputed (shown « masqué »).
 */
export type CellStatus = 'shown' | 'small' | 'complementary';

/** Whether a selection of `n` respondents is too small to show anything. */
export function selectionWithheld(n: number, k: number): boolean {
  return n < k;
}

/** Primary rule alone: 1 to K−1 respondents. Zero is not small. */
export function isSmall(n: number, k: number): boolean {
  return n > 0 && n < k;
}

export type GroupOptions = {
  /** Cells already hidden by another group sharing them (linked tables): kept hidden. */
  hidden?: readonly boolean[];
  /**
   * Order in which visible cells are picked as complements (lowest first); default: their counts
   * (hide as few people as possible). A cell whose hiding costs more (the « sans réponse » cell,
   * which takes the base and every percentage with it) gets a higher cost.
   */
  cost?: readonly number[];
};

/**
 * Whether every small hidden cell of a group is as uncertain as « moins de K » says, for someone
 * who knows the group's total, the visible cells, and how this module works: a small cell is
 * known to be in [1, K−1], a complementary one in [K, total] (complements are never small or
 * zero), so the hidden cells sum to S = total − visible and each small cell lies in
 * [max(1, S − Σ others' maxima), min(K−1, S − Σ others' minima)]. Protected means that interval is
 * still [1, K−1].
 */
export function groupProtected(counts: readonly number[], status: readonly CellStatus[], k: number): boolean {
  let sum = 0;
  const hidden: number[] = [];
  counts.forEach((n, i) => {
    if (status[i] !== 'shown') {
      sum += n;
      hidden.push(i);
    }
  });
  const lo = (i: number) => (status[i] === 'small' ? 1 : k);
  const hi = (i: number) => (status[i] === 'small' ? k - 1 : sum);
  const totalLo = hidden.reduce((a, i) => a + lo(i), 0);
  const totalHi = hidden.reduce((a, i) => a + hi(i), 0);
  for (const i of hidden) {
    if (status[i] !== 'small') continue;
    const min = Math.max(1, sum - (totalHi - hi(i)));
    const max = Math.min(k - 1, sum - (totalLo - lo(i)));
    if (min > 1 || max < k - 1) return false;
  }
  return true;
}

/**
 * Primary and complementary suppression over one group of cells whose total the viewer knows
 * (the options of a question plus its « sans réponse » cell, summing to the selection; one row of
 * a crosstab…). Returns one status per cell. Greedy: while a small cell is not protected, hide the
 * cheapest visible non-zero cell that is enough on its own, else the most useful one (the
 * largest) and try again; when even hiding every non-zero cell is not enough (a tiny group),
 * every non-zero cell is hidden, which is the most the viewer can be kept from knowing.
 */
export function suppressGroup(counts: readonly number[], k: number, opts: GroupOptions = {}): CellStatus[] {
  const status: CellStatus[] = counts.map((n, i) => (isSmall(n, k) ? 'small' : opts.hidden?.[i] && n > 0 ? 'complementary' : 'shown'));
  if (k <= 1) return status;
  const cost = (i: number) => opts.cost?.[i] ?? counts[i];
  const candidates = () =>
    counts
      .map((n, i) => i)
      .filter((i) => status[i] === 'shown' && counts[i] > 0)
      .sort((a, b) => cost(a) - cost(b) || a - b);
  while (!groupProtected(counts, status, k)) {
    const free = candidates();
    if (!free.length) break;
    const enough = free.find((i) => {
      status[i] = 'complementary';
      const ok = groupProtected(counts, status, k);
      status[i] = 'shown';
      return ok;
    });
    if (enough !== undefined) {
      status[enough] = 'complementary';
      break;
    }
    // None is enough alone: hide the one that adds the most to the hidden sum, among the cheapest
    // half (so the « sans réponse » cell still comes last).
    const pool = free.slice(0, Math.max(1, Math.ceil(free.length / 2)));
    const largest = pool.reduce((a, i) => (counts[i] > counts[a] ? i : a), pool[0]);
    status[largest] = 'complementary';
  }
  return status;
}

/**
 * Suppression over a 2-D table (a crosstab) whose row and column totals are shown: primary, then
 * suppressGroup on each row and each column in turn, a cell hidden in one direction counting as
 * hidden in the other, until nothing changes. The usual heuristic for linked sums (not a linear
 * programming audit).
 */
export function suppressTable(cells: readonly (readonly number[])[], k: number): CellStatus[][] {
  const rows = cells.length;
  const cols = rows ? cells[0].length : 0;
  const status: CellStatus[][] = cells.map((r) => r.map((n) => (isSmall(n, k) ? 'small' : 'shown')));
  for (let pass = 0; pass < 2 * (rows + cols) + 2; pass++) {
    let changed = false;
    const merge = (r: number, c: number, s: CellStatus) => {
      if (status[r][c] === 'shown' && s !== 'shown') {
        status[r][c] = s;
        changed = true;
      }
    };
    for (let r = 0; r < rows; r++) {
      const s = suppressGroup(cells[r], k, { hidden: status[r].map((x) => x !== 'shown') });
      s.forEach((x, c) => merge(r, c, x));
    }
    for (let c = 0; c < cols; c++) {
      const column = cells.map((r) => r[c]);
      const s = suppressGroup(column, k, { hidden: status.map((r) => r[c] !== 'shown') });
      s.forEach((x, r) => merge(r, c, x));
    }
    if (!changed) break;
  }
  return status;
}

/**
 * A question whose options are a yes/no split of its base (multiple choice, « dans les 3
 * premiers choix », « a répondu » of a free-text question): for each option the cells
 * [yes, base − yes, sans réponse] sum to the selection. The « no » cells are never shown but are
 * cells all the same (base − yes): when one is hidden, its yes cell or the base must be too.
 * The « sans réponse » cell is shared by every option: hidden for one, hidden for all (and the
 * base with it). Returns the status of each yes cell and of the « sans réponse » cell.
 */
export function suppressYesNo(yes: readonly number[], base: number, selection: number, k: number): { yes: CellStatus[]; noAnswer: CellStatus } {
  const noAnswer = selection - base;
  let noAnswerHidden = isSmall(noAnswer, k);
  let out: CellStatus[] = [];
  for (let pass = 0; pass < 3; pass++) {
    out = [];
    let hideNoAnswer = false;
    for (const y of yes) {
      // The « no » cell is never displayed: hiding it costs nothing, so it is the first complement.
      const s = suppressGroup([y, base - y, noAnswer], k, { hidden: [false, false, noAnswerHidden], cost: [y, 0, 2 * selection + 1] });
      out.push(s[0]);
      if (s[2] !== 'shown') hideNoAnswer = true;
    }
    if (hideNoAnswer === noAnswerHidden) break;
    noAnswerHidden = hideNoAnswer;
  }
  return { yes: out, noAnswer: noAnswerHidden ? (isSmall(noAnswer, k) ? 'small' : 'complementary') : 'shown' };
}

/**
 * A question with one answer per respondent (single choice, a grid statement, a rank, an age
 * group, an intercommunality): its options plus « sans réponse » (selection − base) sum to the
 * selection. Returns the status of each option and of the « sans réponse » cell, which is picked
 * as a complement last (hiding it hides the base and every percentage).
 */
export function suppressSingle(counts: readonly number[], base: number, selection: number, k: number): { options: CellStatus[]; noAnswer: CellStatus } {
  const cells = [...counts, selection - base];
  const s = suppressGroup(cells, k, { cost: [...counts, 2 * selection + 1] });
  return { options: s.slice(0, counts.length), noAnswer: s[counts.length] };
}

/** A filter as the results take it, reduced to what these rules look at. */
export type FilterShape = {
  answers: readonly { variable: string }[];
  channels: readonly string[];
  from?: string;
  to?: string;
  excludeFlagged: boolean;
};

/** A filter variable as the results describe it, reduced to what these rules look at. */
export type VariableShape = { id: string; section: { id: string }; choices: readonly unknown[] | null; derived?: 'recode' | 'theme' };

/**
 * The filters a protected viewer may use: the closed questions of the profile section (« Mon
 * identité »), coarse by construction (intercommunality rather than commune, age group rather
 * than age). Communes are an open list of ~150 mostly tiny groups: not offered. A recode
 * (src/results/derived.ts) sits in its source's section and groups its codes: allowed exactly when
 * its source is. Themes come from free text (even a profile question's « Autre (précise) »): never.
 */
export function allowedFilterVariables(variables: readonly VariableShape[], profileSectionId: string): Set<string> {
  return new Set(variables.filter((v) => v.section.id === profileSectionId && v.choices !== null && v.derived !== 'theme').map((v) => v.id));
}

export type ForbiddenFilter = { field: string; message: string };

/**
 * What a protected viewer may not filter on, with the French message to show. Channels and dates
 * are refused: a lycée's link or a single day narrows to a few people, and two date ranges a day
 * apart difference one day's respondents; the flagged-responses switch differences the flagged
 * ones (a handful). Every combination of allowed filters is then covered by the selection
 * threshold and the released steps.
 */
export function forbiddenFilters(
  f: FilterShape,
  allowed: ReadonlySet<string>,
  messages: { variable: (id: string) => string; channel: string; dates: string; flagged: string },
): ForbiddenFilter[] {
  const out: ForbiddenFilter[] = [];
  for (const a of f.answers) if (!allowed.has(a.variable)) out.push({ field: `f.${a.variable}`, message: messages.variable(a.variable) });
  if (f.channels.length) out.push({ field: 'channel', message: messages.channel });
  if (f.from || f.to) out.push({ field: f.from ? 'from' : 'to', message: messages.dates });
  if (f.excludeFlagged) out.push({ field: 'exclude_flagged', message: messages.flagged });
  return out;
}
