import { frenchDay } from '../dates/french.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { fr } from '../strings.js';
import { FILTER_PREFIX, type Filter } from './filters.js';
import type { Db } from '../db/connection.js';
import { allVariables } from './derived.js';
import { filterVariables } from './model.js';

// Filters in words, for people: « Quel est ton genre ? = Féminin », « canal = Lycée Carnot »,
// « du 1er déc. 2026 ». Used wherever a filter is shown back (journal of exports, free-text pages).

export type FilterWordsContext = {
  q: Questionnaire;
  channelLabel: (code: string) => string | undefined;
  communeName?: (insee: string) => string | undefined;
  /** The database of the derived variables (recodes, themes): their labels. */
  db?: Db;
};

const variablesOf = (ctx: FilterWordsContext) => (ctx.db ? allVariables(ctx.db, ctx.q) : filterVariables(ctx.q));

const w = fr.staff.journal;

/** One short phrase per active part of a parsed filter, in questionnaire order. */
export function filterWords(f: Filter, ctx: FilterWordsContext): string[] {
  const vars = new Map(variablesOf(ctx).map((v) => [v.id, v]));
  const out: string[] = [];
  for (const a of f.answers) {
    const v = vars.get(a.variable);
    const label = v?.label ?? a.variable;
    const codes = a.codes.map((c) => v?.choices?.find((x) => x.code === c)?.label ?? ctx.communeName?.(c) ?? c);
    out.push(`${label} = ${codes.join(' ou ')}`);
  }
  if (f.channels.length) out.push(`${fr.results.channel.toLowerCase()} = ${f.channels.map((c) => ctx.channelLabel(c) ?? c).join(' ou ')}`);
  if (f.from) out.push(`à partir du ${frenchDay(f.from)}`);
  if (f.to) out.push(`jusqu’au ${frenchDay(f.to)}`);
  if (f.excludeFlagged) out.push(fr.results.excludeFlagged.toLowerCase());
  return out;
}

/**
 * A query string as recorded in the journal (« excel=1&labels=1&f.genre=feminin »), in words:
 * « Excel, libellés, Quel est ton genre ? = Féminin ». Read leniently: an unknown part is shown
 * as it is rather than dropped (the journal must not hide what happened).
 */
export function queryWords(query: string, ctx: FilterWordsContext): string {
  const p = new URLSearchParams(query.startsWith('?') ? query.slice(1) : query);
  const vars = new Map(variablesOf(ctx).map((v) => [v.id, v]));
  const out: string[] = [];
  const grouped = new Map<string, string[]>();
  for (const [key, value] of p) {
    if (key === 'excel' && value === '1') out.push(w.excel);
    else if (key === 'labels' && value === '1') out.push(w.labels);
    else if (key === 'exclude_flagged' && value === '1') out.push(fr.results.excludeFlagged.toLowerCase());
    else if (key === 'from' && value) out.push(`à partir du ${frenchDay(value) || value}`);
    else if (key === 'to' && value) out.push(`jusqu’au ${frenchDay(value) || value}`);
    else if (key === 'channel') (grouped.get(fr.results.channel.toLowerCase()) ?? grouped.set(fr.results.channel.toLowerCase(), []).get(fr.results.channel.toLowerCase())!).push(ctx.channelLabel(value) ?? value);
    else if (key.startsWith(FILTER_PREFIX)) {
      const v = vars.get(key.slice(FILTER_PREFIX.length));
      const label = v?.label ?? key.slice(FILTER_PREFIX.length);
      const shown = v?.choices?.find((c) => c.code === value)?.label ?? ctx.communeName?.(value) ?? value;
      (grouped.get(label) ?? grouped.set(label, []).get(label)!).push(shown);
    } else if (value !== '' && !(key === 'excel' || key === 'labels' || key === 'exclude_flagged')) out.push(`${key} = ${value}`);
  }
  for (const [label, values] of grouped) out.push(`${label} = ${values.join(' ou ')}`);
  return out.join(', ');
}
