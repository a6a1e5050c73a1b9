import { fr } from '../strings.js';
import type { Territory } from '../territory/communes.js';
import { conditionMet, handlerFor, type Choices } from '../questionnaire/engine.js';
import type { Question, Questionnaire, Section } from '../questionnaire/schema.js';
import { fieldId, type FieldError, type RawValues } from '../questionnaire/types/common.js';

/** Where the question-level error of each type is attached (and where the summary links to). */
function mainFieldId(q: Question): string | undefined {
  return q.type === 'grid' || q.type === 'ranking' ? undefined : fieldId(q.id);
}

const choiceLikeTypes = new Set(['single', 'multiple', 'grid', 'ranking']);

/** "Seulement si tu as répondu « Au lycée » à « Quelle est ta situation actuelle ? »" */
function conditionHint(q: Question, section: Section): string | undefined {
  const cond = q.showIf;
  if (!cond) return undefined;
  const target = section.questions.find((x) => x.id === cond.question);
  if (!target || (target.type !== 'single' && target.type !== 'multiple')) return undefined;
  const labels = cond.anyOf.map((c) => `« ${target.options.find((o) => o.code === c)?.label ?? c} »`);
  const list = labels.length > 1 ? `${labels.slice(0, -1).join(', ')} ou ${labels[labels.length - 1]}` : labels[0];
  return `Seulement si tu as répondu ${list} à « ${target.label} »`;
}

/**
 * The error summary names what is to be fixed, « Ton âge : écris un nombre… », so that four
 * « Réponds à cette question » read as four different things: the question's short label, or
 * the statement for a grid row. The message next to the field stays as it is.
 */
function summaryLine(section: Section, e: FieldError): { name?: string; message: string } {
  // Field ids are "f-<question>" or "f-<question>-…"; codes never contain "-".
  const q = section.questions.find((x) => e.field === fieldId(x.id) || e.field.startsWith(`${fieldId(x.id)}-`));
  if (!q) return { message: e.message };
  const item = q.type === 'grid' ? q.items.find((i) => e.field.startsWith(`${fieldId(q.id, i.id)}-`)) : undefined;
  const name = item ? item.label.replace(/[.…\s]+$/u, '') : (q.short ?? q.label.replace(/\s*[?…]$/u, ''));
  return fr.errors.summaryItem(name, e.message);
}

export type SectionPage = ReturnType<typeof buildSectionPage>;

/**
 * Template data for one section. Questions hidden by an earlier section's answers are not
 * rendered; questions depending on this same section are rendered with a hint (and hidden live
 * by the script when JavaScript runs), so the page works without JavaScript.
 */
export function buildSectionPage(args: {
  questionnaire: Questionnaire;
  index: number;
  raw: RawValues;
  errors: FieldError[];
  formErrors: string[];
  earlier: Choices;
  territory: Territory;
  csrfToken: string;
  formStamp: string;
  communeList: { name: string }[];
}) {
  const { questionnaire, index, raw, errors, earlier, territory } = args;
  const section = questionnaire.sections[index];
  const total = questionnaire.sections.length;
  const sameSection = new Set(section.questions.map((q) => q.id));
  const ctx = {
    territory,
    // Option conditions on earlier sections are resolved here; same-section ones stay visible.
    optionVisible: (o: { showIf?: { question: string } }) =>
      !o.showIf || sameSection.has(o.showIf.question) || conditionMet(o.showIf as never, earlier),
  };

  const questions = section.questions
    .filter((q) => !q.showIf || sameSection.has(q.showIf.question) || conditionMet(q.showIf, earlier))
    .map((q) => {
      const main = mainFieldId(q);
      const error = main ? errors.find((e) => e.field === main)?.message : undefined;
      const hintId = q.hint ? fieldId(q.id, 'aide') : undefined;
      const condHint = q.showIf && sameSection.has(q.showIf.question) ? conditionHint(q, section) : undefined;
      const condHintId = condHint ? fieldId(q.id, 'condition') : undefined;
      const errorId = error ? fieldId(q.id, 'erreur') : undefined;
      // Kept out of the label/legend so they read exactly as the question.
      const requiredId = q.required ? fieldId(q.id, 'obligatoire') : undefined;
      return {
        id: q.id,
        blockId: `q-${q.id}`,
        type: q.type,
        partial: `questions/${q.type === 'longtext' ? 'text' : q.type === 'multiple' ? 'single' : q.type}`,
        isFieldset: choiceLikeTypes.has(q.type),
        fieldId: fieldId(q.id),
        name: q.id,
        label: q.label,
        hint: q.hint,
        hintId,
        required: q.required,
        condHint,
        condHintId,
        error,
        errorId,
        requiredId,
        describedBy: [requiredId, hintId, condHintId, errorId].filter(Boolean).join(' ') || undefined,
        condition: q.showIf && sameSection.has(q.showIf.question)
          ? { question: q.showIf.item ? `${q.showIf.question}__${q.showIf.item}` : q.showIf.question, values: q.showIf.anyOf.join(' ') }
          : undefined,
        view: handlerFor(q).view(q, raw, errors, ctx),
      };
    });

  const summary = [
    ...args.formErrors.map((message) => ({ name: undefined, message, href: undefined })),
    ...errors.map((e) => ({ ...summaryLine(section, e), href: `#${e.field}` })),
  ];

  return {
    pageTitle: `${summary.length ? 'Erreur : ' : ''}${section.title} – ${fr.survey.stepOf(index + 1, total)}`,
    section: { id: section.id, title: section.title, intro: section.intro },
    step: index + 1,
    total,
    stepLabel: fr.survey.stepOf(index + 1, total),
    action: `/questionnaire/${index + 1}`,
    hasPrevious: index > 0,
    nextLabel: index === total - 1 ? fr.survey.submit : fr.survey.next,
    questions,
    summary: summary.length ? { title: fr.errors.summaryTitle, intro: fr.errors.summaryIntro(summary.length), items: summary } : undefined,
    csrfToken: args.csrfToken,
    formStamp: args.formStamp,
    honeypot: fr.survey.honeypot,
    communeList: args.communeList,
    scripts: true,
  };
}
