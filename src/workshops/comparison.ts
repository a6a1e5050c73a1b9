import type { PublishedResults } from '../results/aggregate.js';
import { fr } from '../strings.js';
import type { Activity, PollConfig } from './activities.js';
import type { ActivityResults } from './store.js';

const pct = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const format = (p: number | null | undefined) => (p === null || p === undefined ? '–' : `${pct.format(p)} %`);

/**
 * A poll taken from the questionnaire, set beside the survey: for each option the room's share and
 * the survey's (the survey's figures as this viewer may see them: disclosure control applies).
 */
export function surveyComparison(a: Activity, room: ActivityResults, survey: PublishedResults | undefined) {
  const questionId = a.type === 'poll' ? (a.config as PollConfig).questionId : undefined;
  if (!questionId || !survey || (room.type !== 'poll' && room.type !== 'scale')) return undefined;
  const table = survey.questions.find((x) => x.id === questionId)?.tables[0];
  // A protected viewer's selection under K (disclosure control): nothing to set beside.
  const base = table?.base ?? survey.responses;
  if (!table || base === null) return undefined;
  const k = survey.disclosure?.minGroupSize ?? 5;
  const byCode = new Map(table.options.map((o) => [o.code, o]));
  return {
    label: fr.workshops.staff.surveyBeside(base),
    rows: room.options.map((o) => {
      const s = byCode.get(o.code);
      const hidden = s?.suppressed ? (s.reason === 'small' ? fr.disclosure.small(k) : fr.disclosure.complementary) : undefined;
      return { label: o.label, room: format(o.percent), survey: hidden ?? format(s?.percent) };
    }),
  };
}
