import type { FilterVariable } from '../results/model.js';
import { csvLine, decimal, neutralizeFormula, type CsvDialect } from '../exports/csv.js';
import { fr } from '../strings.js';
import type { CloudEntry, CloudTally } from './entries.js';

// What the word-cloud page and its CSV show of a tally: the exclusion list applied, one cloud per
// comparison group (or one overall), sizes and table in shares of each cloud's own base, so that
// clouds of different sizes compare.

export const CLOUD_WORDS = 80;
export const TABLE_ROWS = 50;
const t = fr.wordCloud;
const pct = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const int = new Intl.NumberFormat('fr-FR');
export const formatShare = (share: number) => `${pct.format(100 * share)} %`;

export type CloudGroup = { code: string | null; label: string; base: number };

/** The clouds shown: one per group of the comparison variable that has answers, or one overall. */
export function cloudGroups(tally: CloudTally, compare?: FilterVariable): CloudGroup[] {
  if (!compare?.choices) return [{ code: null, label: t.allRespondents, base: tally.base }];
  return compare.choices.map((c) => ({ code: c.code, label: c.label, base: tally.groupBase.get(c.code) ?? 0 })).filter((g) => g.base > 0);
}

const countIn = (e: CloudEntry, g: CloudGroup) => (g.code === null ? e.respondents : (e.byGroup.get(g.code) ?? 0));
const shareIn = (e: CloudEntry, g: CloudGroup) => (g.base ? countIn(e, g) / g.base : 0);
const spellings = (e: CloudEntry, max = 3) => e.variants.slice(0, max).map((v) => `${v.text} (${int.format(v.count)})`).join(', ');

export function cloudView(tally: CloudTally, excluded: ReadonlySet<string>, opts: { compare?: FilterVariable; title: string; fileStem: string }) {
  const entries = tally.entries.filter((e) => !excluded.has(e.key));
  const groups = cloudGroups(tally, opts.compare);
  const clouds = groups.map((g) => ({
    group: g,
    words: entries
      .filter((e) => countIn(e, g) > 0)
      .sort((a, b) => countIn(b, g) - countIn(a, g) || (a.key < b.key ? -1 : 1))
      .slice(0, CLOUD_WORDS),
  }));
  // One scale for every cloud: the same size means the same share, whichever the group.
  const maxShare = Math.max(0, ...clouds.flatMap((c) => c.words.map((e) => shareIn(e, c.group))));
  const compared = groups.length > 1 || Boolean(opts.compare);
  return {
    compared,
    total: entries.length,
    clouds: clouds.map(({ group, words }, i) => ({
      label: group.label,
      baseLabel: t.base(group.base),
      empty: words.length === 0,
      words: words.map((e) => {
        const share = shareIn(e, group);
        return {
          text: e.text,
          share: formatShare(share),
          label: t.wordShare(formatShare(share), countIn(e, group)),
          // Five sizes without JavaScript (classes, the CSP forbids inline styles).
          size: maxShare ? Math.max(1, Math.min(5, 1 + Math.round((4 * share) / maxShare))) : 1,
        };
      }),
      json: JSON.stringify({
        title: opts.title,
        group: compared ? group.label : '',
        base: t.base(group.base),
        max: maxShare,
        file: `${opts.fileStem}${compared ? `-${group.code}` : ''}.png`,
        words: words.map((e) => [e.text, shareIn(e, group)]),
      }),
      index: i,
    })),
    table: entries.slice(0, TABLE_ROWS).map((e) => ({
      key: e.key,
      text: e.text,
      respondents: int.format(e.respondents),
      share: formatShare(tally.base ? e.respondents / tally.base : 0),
      groups: compared ? groups.map((g) => ({ label: g.label, share: formatShare(shareIn(e, g)), count: int.format(countIn(e, g)) })) : [],
      spellings: spellings(e),
    })),
    groupHeads: compared ? groups.map((g) => ({ label: t.shareOf(g.label), base: t.base(g.base) })) : [],
  };
}

/** The cloud's entries as CSV (every entry, exclusions applied), one line per entry. */
export function cloudCsv(tally: CloudTally, excluded: ReadonlySet<string>, d: CsvDialect, compare?: FilterVariable): string {
  const c = t.csvColumns;
  const groups = compare ? cloudGroups(tally, compare) : [];
  const head: string[] = [c.entry, c.key, c.respondents, c.base, c.share];
  for (const g of groups) head.push(`${c.respondents}_${g.code}`, `${c.base}_${g.code}`, `${c.share}_${g.code}`);
  head.push(c.spellings);
  let out = (d.bom ? '\ufeff' : '') + csvLine(head, d);
  for (const e of tally.entries) {
    if (excluded.has(e.key)) continue;
    const line: (string | number)[] = [neutralizeFormula(e.text), e.key, e.respondents, tally.base, decimal(tally.base ? (100 * e.respondents) / tally.base : 0, d)];
    for (const g of groups) line.push(countIn(e, g), g.base, decimal(100 * shareIn(e, g), d));
    line.push(neutralizeFormula(e.variants.map((v) => `${v.text} (${v.count})`).join(' | ')));
    out += csvLine(line, d);
  }
  return out;
}
