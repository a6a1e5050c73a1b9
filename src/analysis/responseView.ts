import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { fr } from '../strings.js';

// One response, as a person reads it: every question in questionnaire order with its label and
// the answer's label (never codes), and what was flagged about it.

export type AnswerLine = { label: string; lines: string[]; answered: boolean; free: boolean };
export type ResponseSection = { title: string; items: AnswerLine[] };
export type ResponseMeta = { id: string; status: string; channel: string | null; hour: string | null; flagged: boolean; reason: string | null };

type Row = { questionId: string; optionCode: string; text: string | null; num: number | null };

const a = fr.analysis;

export function readResponseMeta(db: Db, id: string): ResponseMeta | undefined {
  const row = db
    .prepare(
      `SELECT id, status, channel, coalesce(completed_hour, updated_hour) AS hour, flagged, flag_reason AS reason FROM responses WHERE id = ?`,
    )
    .get(id) as (Omit<ResponseMeta, 'flagged'> & { flagged: number }) | undefined;
  return row ? { ...row, flagged: row.flagged === 1 } : undefined;
}

/** The answers of a response, section by section; unanswered questions say so. */
export function responseSections(db: Db, q: Questionnaire, id: string, communeName: (insee: string) => string | undefined): ResponseSection[] {
  const rows = db
    .prepare(`SELECT question_id AS questionId, option_code AS optionCode, value_text AS text, value_num AS num FROM answers WHERE response_id = ?`)
    .all(id) as Row[];
  const byQuestion = new Map<string, Row[]>();
  for (const r of rows) (byQuestion.get(r.questionId) ?? byQuestion.set(r.questionId, []).get(r.questionId)!).push(r);
  const of = (qid: string) => byQuestion.get(qid) ?? [];

  return q.sections.map((section) => ({
    title: section.title,
    items: section.questions.flatMap((question): AnswerLine[] => {
      const line = (lines: string[], free = false): AnswerLine => ({ label: question.label, lines: lines.length ? lines : [a.noAnswer], answered: lines.length > 0, free });
      switch (question.type) {
        case 'single':
        case 'multiple': {
          const labels = new Map(question.options.map((o) => [o.code, o.label]));
          const chosen = of(question.id).sort((x, y) => question.options.findIndex((o) => o.code === x.optionCode) - question.options.findIndex((o) => o.code === y.optionCode));
          return [line(chosen.map((r) => `${labels.get(r.optionCode) ?? r.optionCode}${r.text ? ` — ${a.precision} : « ${r.text} »` : ''}`), chosen.some((r) => r.text))];
        }
        case 'grid':
          return question.items.map((item) => {
            const r = of(`${question.id}__${item.id}`)[0];
            const scale = r ? (question.scale.find((s) => s.code === r.optionCode)?.label ?? r.optionCode) : undefined;
            return { label: `${question.label} — ${item.label}`, lines: [scale ?? a.noAnswer], answered: Boolean(scale), free: false };
          });
        case 'ranking': {
          const labels = new Map(question.options.map((o) => [o.code, o.label]));
          const ranked = of(question.id).sort((x, y) => (x.num ?? 0) - (y.num ?? 0));
          return [line(ranked.map((r) => `${a.rank(r.num ?? 0)} : ${labels.get(r.optionCode) ?? r.optionCode}`))];
        }
        case 'text':
        case 'longtext': {
          const r = of(question.id)[0];
          return [line(r?.text ? [r.text] : [], true)];
        }
        case 'integer': {
          const r = of(question.id)[0];
          return [line(r && r.num !== null ? [`${new Intl.NumberFormat('fr-FR').format(r.num)}${question.unit ? ` ${question.unit}` : ''}`] : [])];
        }
        case 'commune': {
          const r = of(question.id)[0];
          return [line(r ? [`${communeName(r.optionCode) ?? r.text ?? r.optionCode} (${r.optionCode})`] : [])];
        }
      }
    }),
  }));
}

/** The reason of a flag in French (« champ piège rempli », « étape remplie en moins de 3 s »). */
export function flagReasonWords(reason: string | null, minSectionSeconds: number): string {
  if (reason === 'piege') return a.reasons.piege;
  if (reason === 'rapide') return a.reasons.rapide(minSectionSeconds);
  if (reason === 'horodatage') return a.reasons.horodatage;
  if (reason === 'signature') return a.reasons.signature;
  return a.unknownReason(reason ?? '?');
}
