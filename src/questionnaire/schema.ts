import { z } from 'zod';

// The questionnaire is data. This schema is the contract: a definition that breaks it (duplicate
// ids, a condition on an unknown or later question, a non-ASCII code…) stops the app at start.

/** Stable short ASCII codes: they become CSV column names, "__" is reserved as a separator. */
const code = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, 'code ASCII en snake_case attendu (a-z, 0-9, _)')
  .max(40)
  .refine((s) => !s.includes('__') && !s.endsWith('_'), 'le code ne doit pas contenir « __ » ni finir par « _ »');

const text = z.string().trim().min(1);

/** A condition on an earlier answer: shown when that question's answer is one of `anyOf`. */
export const conditionSchema = z
  .object({
    question: code,
    /** For a grid, the item whose answer is tested. */
    item: code.optional(),
    anyOf: z.array(code).min(1),
  })
  .strict();

const optionSchema = z
  .object({
    code,
    label: text,
    /** "Rien": cannot be combined with another option (multiple choice only). */
    exclusive: z.boolean().optional(),
    /** "Autre (précise)": reveals a text field. */
    other: z.boolean().optional(),
    showIf: conditionSchema.optional(),
  })
  .strict();

const base = {
  id: code,
  label: text,
  /** A few words naming the question in the error summary: « Ton âge : écris un nombre… ». */
  short: text.optional(),
  hint: text.optional(),
  required: z.boolean().default(false),
  showIf: conditionSchema.optional(),
};

const singleSchema = z.object({ ...base, type: z.literal('single'), options: z.array(optionSchema).min(2) }).strict();
const multipleSchema = z
  .object({
    ...base,
    type: z.literal('multiple'),
    options: z.array(optionSchema).min(2),
    maxChoices: z.number().int().min(1).optional(),
  })
  .strict();
const gridSchema = z
  .object({
    ...base,
    type: z.literal('grid'),
    items: z.array(z.object({ id: code, label: text }).strict()).min(1),
    scale: z.array(optionSchema.pick({ code: true, label: true }).strict()).min(2),
  })
  .strict();
const rankingSchema = z
  .object({
    ...base,
    type: z.literal('ranking'),
    options: z.array(optionSchema.pick({ code: true, label: true }).strict()).min(2),
    picks: z.number().int().min(1).max(5).default(3),
  })
  .strict();
const textSchema = z
  .object({ ...base, type: z.literal('text'), maxLength: z.number().int().min(1).max(500).default(200) })
  .strict();
const longTextSchema = z
  .object({ ...base, type: z.literal('longtext'), maxLength: z.number().int().min(1).max(5000).default(1500) })
  .strict();
const integerSchema = z
  .object({ ...base, type: z.literal('integer'), min: z.number().int(), max: z.number().int(), unit: text.optional() })
  .strict();
const communeSchema = z.object({ ...base, type: z.literal('commune') }).strict();

export const questionSchema = z.discriminatedUnion('type', [
  singleSchema,
  multipleSchema,
  gridSchema,
  rankingSchema,
  textSchema,
  longTextSchema,
  integerSchema,
  communeSchema,
]);

const sectionSchema = z
  .object({
    id: code,
    title: text,
    intro: text.optional(),
    questions: z.array(questionSchema).min(1),
  })
  .strict();

export const questionnaireSchema = z
  .object({
    id: code,
    version: z.number().int().min(1),
    title: text,
    sections: z.array(sectionSchema).min(1),
  })
  .strict()
  .superRefine((q, ctx) => {
    const seen = new Map<string, Question>();
    const sectionIds = new Set<string>();
    q.sections.forEach((section, si) => {
      if (sectionIds.has(section.id)) {
        ctx.addIssue({ code: 'custom', path: ['sections', si, 'id'], message: `section « ${section.id} » en double` });
      }
      sectionIds.add(section.id);
      section.questions.forEach((question, qi) => {
        const path = ['sections', si, 'questions', qi];
        const issue = (message: string, sub: (string | number)[] = []) =>
          ctx.addIssue({ code: 'custom', path: [...path, ...sub], message });

        if (seen.has(question.id)) issue(`question « ${question.id} » en double`, ['id']);
        checkQuestion(question, issue);
        if (question.showIf) checkCondition(question.showIf, seen, (m) => issue(m, ['showIf']));
        if (question.type === 'single' || question.type === 'multiple') {
          question.options.forEach((o, oi) => {
            if (o.showIf) checkCondition(o.showIf, seen, (m) => issue(m, ['options', oi, 'showIf']));
          });
        }
        seen.set(question.id, question);
      });
    });
  });

function checkQuestion(question: Question, issue: (m: string, sub?: (string | number)[]) => void) {
  const codes =
    question.type === 'single' || question.type === 'multiple' || question.type === 'ranking'
      ? question.options.map((o) => o.code)
      : question.type === 'grid'
        ? question.items.map((i) => i.id)
        : [];
  const dup = codes.find((c, i) => codes.indexOf(c) !== i);
  if (dup) issue(`option « ${dup} » en double`);
  if (question.type === 'grid') {
    const scale = question.scale.map((s) => s.code);
    const d = scale.find((c, i) => scale.indexOf(c) !== i);
    if (d) issue(`modalité « ${d} » en double`, ['scale']);
  }
  if (question.type === 'single' || question.type === 'multiple') {
    question.options.forEach((o, oi) => {
      if (o.exclusive && question.type !== 'multiple') issue('« exclusive » ne sert qu’aux choix multiples', ['options', oi]);
      if (o.exclusive && o.other) issue('une option ne peut pas être à la fois exclusive et « Autre »', ['options', oi]);
    });
  }
  if (question.type === 'multiple' && question.maxChoices !== undefined && question.maxChoices > question.options.length) {
    issue('maxChoices dépasse le nombre d’options', ['maxChoices']);
  }
  if (question.type === 'ranking' && question.picks > question.options.length) {
    issue('picks dépasse le nombre d’éléments à classer', ['picks']);
  }
  if (question.type === 'integer' && question.min > question.max) issue('min doit être inférieur à max', ['min']);
}

/** Conditions may only look back: a question shown on an answer that doesn't exist yet is a bug. */
function checkCondition(cond: Condition, earlier: Map<string, Question>, issue: (m: string) => void) {
  const target = earlier.get(cond.question);
  if (!target) {
    issue(`la condition porte sur « ${cond.question} », qui n’est pas une question précédente`);
    return;
  }
  let codes: string[];
  if (target.type === 'single' || target.type === 'multiple') {
    if (cond.item) issue('« item » ne sert qu’aux grilles');
    codes = target.options.map((o) => o.code);
  } else if (target.type === 'grid') {
    if (!cond.item || !target.items.some((i) => i.id === cond.item)) {
      issue(`la condition sur la grille « ${target.id} » doit nommer un de ses items`);
    }
    codes = target.scale.map((s) => s.code);
  } else {
    issue(`une condition ne peut porter que sur une question à choix (« ${target.id} » est de type ${target.type})`);
    return;
  }
  for (const c of cond.anyOf) {
    if (!codes.includes(c)) issue(`la condition cite l’option « ${c} », inconnue pour « ${target.id} »`);
  }
}

export type Condition = z.infer<typeof conditionSchema>;
export type Option = z.infer<typeof optionSchema>;
export type Question = z.infer<typeof questionSchema>;
export type QuestionType = Question['type'];
export type Section = z.infer<typeof sectionSchema>;
export type Questionnaire = z.infer<typeof questionnaireSchema>;
export type QuestionnaireInput = z.input<typeof questionnaireSchema>;

export function parseQuestionnaire(input: unknown): Questionnaire {
  const r = questionnaireSchema.safeParse(input);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Définition du questionnaire invalide :\n${lines.join('\n')}`);
  }
  return r.data;
}
