import type { Db } from '../../src/db/connection.js';
import { conditionMet, sectionFieldNames, type Choices } from '../../src/questionnaire/engine.js';
import type { Question, Questionnaire } from '../../src/questionnaire/schema.js';
import { OTHER_MAX_LENGTH } from '../../src/questionnaire/types/choice.js';
import { charLength, cleanText } from '../../src/questionnaire/types/common.js';
import type { Territory } from '../../src/territory/communes.js';

// What the database may contain, derived from the questionnaire definition alone (never from the
// code that wrote the rows): after hostile traffic or a crash, any row outside these rules is a
// bug. Returns readable problems; an empty list means the data is valid.

type ResponseRow = {
  id: string;
  questionnaire_id: string;
  questionnaire_version: number;
  channel: string | null;
  status: string;
  reached_section: number;
  started_hour: string;
  updated_hour: string;
  completed_hour: string | null;
  weight: number;
  draft_token_hash: string | null;
};
type AnswerRow = { response_id: string; question_id: string; option_code: string; value_text: string | null; value_num: number | null };

/** What an answers.question_id stands for. */
type Column =
  | { kind: 'question'; q: Question }
  | { kind: 'grid-item'; q: Extract<Question, { type: 'grid' }>; item: string }
  | { kind: 'epci'; q: Question };

const HOUR = /^\d{4}-\d{2}-\d{2}T\d{2}$/;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const SHA256 = /^[0-9a-f]{64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function columnsOf(q: Questionnaire): Map<string, Column> {
  const out = new Map<string, Column>();
  for (const s of q.sections) {
    for (const question of s.questions) {
      if (question.type === 'grid') for (const it of question.items) out.set(`${question.id}__${it.id}`, { kind: 'grid-item', q: question, item: it.id });
      else out.set(question.id, { kind: 'question', q: question });
      if (question.type === 'commune') out.set(`${question.id}__epci`, { kind: 'epci', q: question });
    }
  }
  return out;
}

export function findInvalidData(db: Db, questionnaire: Questionnaire, territory: Territory, channels: string[] = []): string[] {
  const problems: string[] = [];
  const bad = (msg: string) => problems.length < 200 && problems.push(msg);
  const total = questionnaire.sections.length;

  const responses = db.prepare('SELECT * FROM responses').all() as ResponseRow[];
  const byId = new Map(responses.map((r) => [r.id, r]));
  for (const r of responses) {
    const where = `responses ${r.id}`;
    if (!UUID.test(r.id)) bad(`${where}: identifiant non aléatoire`);
    if (r.questionnaire_id !== questionnaire.id || r.questionnaire_version !== questionnaire.version) bad(`${where}: questionnaire ${r.questionnaire_id}@${r.questionnaire_version}`);
    if (r.channel !== null && !channels.includes(r.channel)) bad(`${where}: canal non déclaré ${JSON.stringify(r.channel)}`);
    if (!HOUR.test(r.started_hour) || !HOUR.test(r.updated_hour)) bad(`${where}: heure trop précise ou invalide`);
    if (r.weight !== 1) bad(`${where}: poids ${r.weight}`);
    if (!Number.isInteger(r.reached_section) || r.reached_section < 0 || r.reached_section > total) bad(`${where}: reached_section ${r.reached_section}`);
    if (r.status === 'complete') {
      if (r.draft_token_hash !== null) bad(`${where}: réponse complète encore liée à un cookie`);
      if (r.completed_hour === null || !HOUR.test(r.completed_hour)) bad(`${where}: completed_hour ${r.completed_hour}`);
      if (r.reached_section !== total) bad(`${where}: complète mais reached_section ${r.reached_section}`);
    } else if (r.status === 'draft') {
      if (r.draft_token_hash === null || !SHA256.test(r.draft_token_hash)) bad(`${where}: brouillon sans empreinte de cookie`);
      if (r.completed_hour !== null) bad(`${where}: brouillon avec completed_hour`);
    } else bad(`${where}: statut ${r.status}`);
  }

  // Drafts: only the section's own fields, as strings or lists of strings.
  const sections = new Map(questionnaire.sections.map((s) => [s.id, { section: s, fields: sectionFieldNames(s) }]));
  for (const d of db.prepare('SELECT response_id, section_id, data FROM draft_sections').all() as { response_id: string; section_id: string; data: string }[]) {
    const where = `draft_sections ${d.response_id}/${d.section_id}`;
    if (byId.get(d.response_id)?.status !== 'draft') bad(`${where}: ne référence pas un brouillon`);
    const s = sections.get(d.section_id);
    if (!s) {
      bad(`${where}: section inconnue`);
      continue;
    }
    let data: unknown;
    try {
      data = JSON.parse(d.data);
    } catch {
      bad(`${where}: JSON illisible`);
      continue;
    }
    if (!data || typeof data !== 'object' || Array.isArray(data) || Object.getPrototypeOf(data) !== Object.prototype) {
      bad(`${where}: pas un objet simple`);
      continue;
    }
    for (const [k, v] of Object.entries(data)) {
      if (!s.fields.has(k)) bad(`${where}: champ étranger ${JSON.stringify(k.slice(0, 60))}`);
      const ok = typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string'));
      if (!ok) bad(`${where}: valeur de type inattendu pour ${k}`);
    }
  }

  // Answers, response by response.
  const columns = columnsOf(questionnaire);
  const answers = db.prepare('SELECT * FROM answers ORDER BY response_id').all() as AnswerRow[];
  const perResponse = new Map<string, AnswerRow[]>();
  for (const a of answers) {
    const list = perResponse.get(a.response_id) ?? [];
    list.push(a);
    perResponse.set(a.response_id, list);
  }
  for (const [id, rows] of perResponse) {
    const where = `answers ${id}`;
    if (byId.get(id)?.status !== 'complete') bad(`${where}: lignes de réponse pour une réponse non complète`);
    const byColumn = new Map<string, AnswerRow[]>();
    for (const a of rows) {
      if (!columns.has(a.question_id)) bad(`${where}: question inconnue ${JSON.stringify(a.question_id)}`);
      const list = byColumn.get(a.question_id) ?? [];
      list.push(a);
      byColumn.set(a.question_id, list);
    }
    const choices: Choices = new Map();
    for (const [col, list] of byColumn) {
      const c = columns.get(col);
      if (!c) continue;
      const w = `${where} ${col}`;
      if (c.kind === 'grid-item') {
        if (list.length !== 1) bad(`${w}: ${list.length} lignes`);
        for (const a of list) {
          if (!c.q.scale.some((s) => s.code === a.option_code)) bad(`${w}: modalité ${JSON.stringify(a.option_code)}`);
          if (a.value_text !== null || a.value_num !== null) bad(`${w}: valeur en trop`);
          const prev = choices.get(c.q.id) ?? [];
          choices.set(c.q.id, [...prev, { item: c.item, code: a.option_code }]);
        }
        continue;
      }
      if (c.kind === 'epci') {
        const commune = byColumn.get(c.q.id)?.[0];
        const expected = commune ? territory.byInsee.get(commune.option_code)?.epci : undefined;
        if (list.length !== 1 || list[0].option_code !== expected) bad(`${w}: intercommunalité ${list[0]?.option_code} au lieu de ${expected}`);
        continue;
      }
      const q = c.q;
      switch (q.type) {
        case 'single':
        case 'multiple': {
          if (q.type === 'single' && list.length !== 1) bad(`${w}: ${list.length} lignes pour un choix unique`);
          for (const a of list) {
            const o = q.options.find((x) => x.code === a.option_code);
            if (!o) bad(`${w}: option ${JSON.stringify(a.option_code)}`);
            else if (o.other) {
              const t = a.value_text;
              if (t === null || !t || charLength(t) > OTHER_MAX_LENGTH || cleanText(t, false) !== t) bad(`${w}: précision invalide ${JSON.stringify(t?.slice(0, 60))}`);
            } else if (a.value_text !== null) bad(`${w}: texte sur une option sans précision`);
            if (a.value_num !== null) bad(`${w}: nombre en trop`);
          }
          if (q.type === 'multiple') {
            if (q.maxChoices !== undefined && list.length > q.maxChoices) bad(`${w}: ${list.length} cases pour ${q.maxChoices} au plus`);
            const exclusive = q.options.find((o) => o.exclusive && list.some((a) => a.option_code === o.code));
            if (exclusive && list.length > 1) bad(`${w}: « ${exclusive.code} » combiné avec une autre réponse`);
          }
          choices.set(q.id, list.map((a) => ({ code: a.option_code })));
          break;
        }
        case 'ranking': {
          const ranks = list.map((a) => a.value_num).sort((x, y) => (x ?? 0) - (y ?? 0));
          if (ranks.some((r, i) => r !== i + 1) || list.length > q.picks) bad(`${w}: rangs ${JSON.stringify(ranks)}`);
          for (const a of list) {
            if (!q.options.some((o) => o.code === a.option_code)) bad(`${w}: option ${JSON.stringify(a.option_code)}`);
            if (a.value_text !== null) bad(`${w}: texte en trop`);
          }
          choices.set(q.id, list.map((a) => ({ code: a.option_code })));
          break;
        }
        case 'text':
        case 'longtext': {
          const a = list[0];
          const t = a.value_text;
          if (list.length !== 1 || a.option_code !== '' || a.value_num !== null) bad(`${w}: forme de ligne inattendue`);
          if (t === null || !t || charLength(t) > q.maxLength) bad(`${w}: longueur ${t === null ? 'nulle' : charLength(t)} pour ${q.maxLength}`);
          else if (cleanText(t, q.type === 'longtext') !== t) bad(`${w}: texte non nettoyé ${JSON.stringify(t.slice(0, 60))}`);
          break;
        }
        case 'integer': {
          const a = list[0];
          const n = a.value_num;
          if (list.length !== 1 || a.option_code !== '' || a.value_text !== null) bad(`${w}: forme de ligne inattendue`);
          if (n === null || !Number.isInteger(n) || n < q.min || n > q.max) bad(`${w}: ${n} hors de [${q.min}, ${q.max}]`);
          break;
        }
        case 'commune': {
          const a = list[0];
          const commune = territory.byInsee.get(a.option_code);
          if (list.length !== 1 || !commune || a.value_text !== commune.name || a.value_num !== null) bad(`${w}: commune ${JSON.stringify(a)}`);
          break;
        }
        default:
          bad(`${w}: type ${(q as Question).type} non vérifié`);
      }
    }
    // Conditions: a hidden question or option has no answer; a required visible question has one.
    for (const s of questionnaire.sections) {
      for (const q of s.questions) {
        const cols = q.type === 'grid' ? q.items.map((i) => `${q.id}__${i.id}`) : [q.id];
        const answered = cols.some((col) => byColumn.has(col));
        const shown = conditionMet(q.showIf, choices);
        if (answered && !shown) bad(`${where} ${q.id}: réponse à une question masquée`);
        if (q.required && shown && !answered) bad(`${where} ${q.id}: question obligatoire sans réponse`);
        if ((q.type === 'single' || q.type === 'multiple') && answered) {
          for (const a of byColumn.get(q.id) ?? []) {
            const o = q.options.find((x) => x.code === a.option_code);
            if (o?.showIf && !conditionMet(o.showIf, choices)) bad(`${where} ${q.id}: option masquée ${o.code}`);
          }
        }
      }
    }
  }
  for (const r of responses) {
    if (r.status === 'complete' && !perResponse.has(r.id)) bad(`responses ${r.id}: complète sans aucune réponse`);
  }

  for (const t of db.prepare('SELECT token_hash, completed_day FROM completed_tokens').all() as { token_hash: string; completed_day: string }[]) {
    if (!SHA256.test(t.token_hash) || !DAY.test(t.completed_day)) bad(`completed_tokens: ligne invalide ${JSON.stringify(t)}`);
  }
  return problems;
}
