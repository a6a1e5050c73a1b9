import Papa from 'papaparse';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/connection.js';
import { codebookRows, writeCodebookCsv } from '../../src/exports/codebook.js';
import { responseColumns } from '../../src/exports/columns.js';
import { csvCell, EXCEL_CSV, neutralizeFormula, pump, STANDARD_CSV } from '../../src/exports/csv.js';
import { resultsPayload, resultsRows, RESULTS_COLUMNS, writeResultsCsv } from '../../src/exports/results-csv.js';
import { responsesCsvChunks, writeResponsesCsv } from '../../src/exports/responses-csv.js';
import { computeResults } from '../../src/results/aggregate.js';
import { parseFilters, type Filter } from '../../src/results/filters.js';
import { territory } from '../../src/territory/communes.js';
import { addDraft, FIVE, freshDb, q, seedFive } from '../results/helpers.js';
import { MemorySink } from './helpers.js';

const communeName = (insee: string) => territory().byInsee.get(insee)?.name;

function filter(query: Record<string, string | string[]>): Filter {
  const r = parseFilters(query, q);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.filter;
}

async function capture(write: (sink: MemorySink) => Promise<unknown>): Promise<string> {
  const sink = new MemorySink();
  const finished = new Promise((resolve) => sink.on('finish', resolve));
  await write(sink);
  await finished;
  return sink.text;
}

type Row = Record<string, string>;
const parse = (text: string, delimiter = ',') => {
  const r = Papa.parse<Row>(text, { header: true, delimiter, skipEmptyLines: true });
  expect(r.errors).toEqual([]);
  return r;
};

describe('CSV quoting', () => {
  it('follows Papa.unparse’s rules exactly, for both dialects', () => {
    const cells = ['simple', '', 'a,b', 'a;b', 'il a dit "oui"', 'ligne\nsuivante', 'retour\r', ' espace', 'fin ', 'é à ç œ', "l'apostrophe", '\ufeffbom', '=1+1', '-3'];
    for (const d of [STANDARD_CSV, EXCEL_CSV]) {
      const expected = Papa.unparse([cells], { delimiter: d.delimiter, newline: d.newline });
      expect(cells.map((c) => csvCell(c, d.delimiter)).join(d.delimiter)).toBe(expected);
    }
    expect(csvCell(-3.5, ',')).toBe('-3.5');
    expect(csvCell(null, ',')).toBe('');
  });

  it('neutralises formulas in free text only', () => {
    for (const s of ['=SUM(A1)', '+33 6', '-1 an', '@cmd', '\tx', '\rx']) expect(neutralizeFormula(s)).toBe(`'${s}`);
    for (const s of ['Usine', '1 + 1 = 2', '', "'déjà"]) expect(neutralizeFormula(s)).toBe(s);
  });
});

describe('exports of a small known population', () => {
  let db: Db;
  let ids: string[];
  beforeAll(() => {
    db = freshDb();
    ids = seedFive(db);
    addDraft(db, 3);
  });

  describe('results.csv', () => {
    it('has exactly the expected columns and the figures of the results, percent with a dot', async () => {
      const text = await capture((sink) => writeResultsCsv(db, q, sink, { communeName }));
      expect(text.split('\n')[0]).toBe('question_id,question_label,option_code,option_label,count,base,percent');
      const { data, meta } = parse(text);
      expect(meta.fields).toEqual([...RESULTS_COLUMNS]);
      const expected = resultsRows(computeResults(db, q, undefined, { communeName }));
      expect(data).toHaveLength(expected.length);
      data.forEach((row, i) => {
        const e = expected[i];
        expect(row).toEqual({
          question_id: e.question_id,
          question_label: e.question_label,
          option_code: e.option_code,
          option_label: e.option_label,
          count: String(e.count),
          base: String(e.base),
          percent: e.percent === null ? '' : e.percent.toFixed(1),
        });
      });
      const genre = data.filter((r) => r.question_id === 'genre');
      expect(genre.map((r) => [r.option_code, r.option_label, r.count, r.base, r.percent])).toEqual([
        ['masculin', 'Masculin', '2', '5', '40.0'],
        ['feminin', 'Féminin', '2', '5', '40.0'],
        ['autre', 'Autre', '1', '5', '20.0'],
        ['non_reponse', 'Je préfère ne pas répondre', '0', '5', '0.0'],
      ]);
      expect(data.find((r) => r.question_id === 'opinions_territoire__fierte' && r.option_code === 'accord')!.percent).toBe('66.7');
      expect(data.filter((r) => r.question_id === 'attentes_emploi__top3').map((r) => r.option_code)).toContain('salaire');
      for (const r of data) expect(r.percent).toMatch(/^(\d+\.\d)?$/);
    });

    it('respects the filters', async () => {
      const text = await capture((sink) => writeResultsCsv(db, q, sink, { filter: filter({ 'f.genre': 'feminin' }) }));
      const rows = parse(text).data.filter((r) => r.question_id === 'genre');
      expect(rows.map((r) => [r.option_code, r.count, r.base, r.percent])).toEqual([
        ['masculin', '0', '2', '0.0'],
        ['feminin', '2', '2', '100.0'],
        ['autre', '0', '2', '0.0'],
        ['non_reponse', '0', '2', '0.0'],
      ]);
    });

    it('gives the same figures as the JSON payload, which survives JSON.stringify', async () => {
      const payload = resultsPayload(db, q, filter({ channel: 'iut-lens' }), { communeName });
      const json = JSON.parse(JSON.stringify(payload));
      expect(json.responses).toBe(2);
      expect(json.filter.channels).toEqual(['iut-lens']);
      const text = await capture((sink) => writeResultsCsv(db, q, sink, { filter: filter({ channel: 'iut-lens' }), communeName }));
      const csv = parse(text).data;
      const fromJson = resultsRows(json);
      expect(csv.map((r) => [r.question_id, r.option_code, Number(r.count), Number(r.base)])).toEqual(
        fromJson.map((r) => [r.question_id, r.option_code, r.count, r.base]),
      );
    });
  });

  describe('responses.csv', () => {
    let rows: Row[];
    let fields: string[];
    let text: string;
    beforeAll(async () => {
      text = await capture((sink) => writeResponsesCsv(db, q, sink));
      const r = parse(text);
      rows = r.data;
      fields = r.meta.fields!;
    });
    const rowOf = (i: number) => rows.find((r) => r.response_id === ids[i])!;

    it('one line per completed response (drafts excluded), one column per question, option and derived variable', () => {
      expect(rows).toHaveLength(5);
      expect(fields).toEqual(responseColumns(q).map((c) => c.name));
      expect(fields.slice(0, 11)).toEqual([
        'response_id',
        'questionnaire_version',
        'channel',
        'completed_date',
        'weight',
        'age',
        'age__groupe',
        'genre',
        'commune',
        'commune__nom',
        'commune__epci',
      ]);
      expect(fields).toContain('situation__autre__precision');
      expect(fields).toContain('points_forts__sport_rc_lens');
      expect(fields).toContain('attentes_emploi__salaire');
      expect(fields).toContain('image_industrie__bien_payee');
      expect(new Set(fields).size).toBe(fields.length);
      // Ordered by the random id: no order of arrival.
      expect(rows.map((r) => r.response_id)).toEqual([...ids].sort());
    });

    it('holds what was answered: codes, 0/1 per option, ranks, text, commune and derived columns', () => {
      const r = rowOf(0);
      expect(r).toMatchObject({
        questionnaire_version: '1',
        channel: 'lycee-carnot',
        completed_date: '2022-11-30',
        // No weighting in force: the weight column is empty.
        weight: '',
        age: '16',
        age__groupe: 'mineurs_15_17',
        genre: 'feminin',
        commune: '62119',
        commune__nom: 'Béthune',
        commune__epci: 'cabbalr',
        situation: 'lycee',
        filiere: 'generale',
        lieu_activite: 'pma',
        points_forts__histoire: '1',
        points_forts__sport_rc_lens: '1',
        points_forts__activites: '0',
        opinions_territoire__fierte: 'accord',
        opinions_territoire__deplacements: '',
        attentes_emploi__salaire: '1',
        attentes_emploi__conditions_travail: '2',
        attentes_emploi__epanouissement: '3',
        attentes_emploi__utilite: '',
        envisager_industrie: 'plutot_oui',
        convaincre_industrie__connaitre_secteur: '1',
        convaincre_industrie__salaires: '1',
        convaincre_industrie__rien: '0',
      });
      // Unanswered or hidden: empty, never 0.
      expect(r.points_faibles__emploi).toBe('');
      expect(r.raisons_partir__emploi).toBe('');
      expect(rowOf(4).convaincre_industrie__rien).toBe('');
      expect(rowOf(2).filiere).toBe('');
      expect(rowOf(2).channel).toBe('');
    });

    it('keeps free text intact (quotes, separators, line breaks) and neutralises formulas there only', () => {
      expect(rowOf(3).ameliorer_territoire).toBe(FIVE[3].answers[2].ameliorer_territoire);
      expect(rowOf(0).mots_industrie).toBe("'=SUM(A1)");
      expect(rowOf(4).situation).toBe('autre');
      expect(rowOf(4).situation__autre__precision).toBe("'-1 en service civique");
      expect(rowOf(4).mots_industrie).toBe('Usine à gaz');
      expect(rowOf(4).age).toBe('30');
      expect(text).not.toMatch(/(^|,)=SUM/m);
    });

    it('writes labels instead of codes with labels=1 (0/1 and ranks stay numbers)', async () => {
      const labelled = parse(await capture((sink) => writeResponsesCsv(db, q, sink, { labels: true }))).data;
      const r = labelled.find((x) => x.response_id === ids[0])!;
      expect(r).toMatchObject({
        genre: 'Féminin',
        age__groupe: '15-17 ans (mineurs)',
        commune: '62119',
        commune__epci: 'CA de Béthune-Bruay, Artois-Lys Romane',
        opinions_territoire__fierte: 'D’accord',
        points_forts__histoire: '1',
        attentes_emploi__conditions_travail: '2',
      });
    });

    it('respects the filters', async () => {
      const filtered = parse(await capture((sink) => writeResponsesCsv(db, q, sink, { filter: filter({ 'f.genre': 'feminin' }) }))).data;
      expect(filtered.map((r) => r.response_id).sort()).toEqual([ids[0], ids[3]].sort());
      const none = await capture((sink) => writeResponsesCsv(db, q, sink, { filter: filter({ 'f.genre': 'non_reponse' }) }));
      expect(none.split('\n').filter(Boolean)).toHaveLength(1); // the header alone
    });

    it('gives the same file whatever the page size', () => {
      const big = [...responsesCsvChunks(db, q, { pageSize: 1000 })].join('');
      const small = [...responsesCsvChunks(db, q, { pageSize: 2 })].join('');
      expect(small).toBe(big);
      expect(big).toBe(text);
      expect([...responsesCsvChunks(db, q, { pageSize: 2 })]).toHaveLength(1 + 3);
    });
  });

  describe('Excel variant', () => {
    it('BOM, semicolons, CRLF, accents, decimal comma, formulas neutralised — read back by a real parser', async () => {
      const results = await capture((sink) => writeResultsCsv(db, q, sink, { excel: true }));
      expect(results.startsWith('\ufeffquestion_id;question_label;option_code;option_label;count;base;percent\r\n')).toBe(true);
      expect(results.replace(/\r\n/g, '')).not.toContain('\n');
      const parsed = parse(results.slice(1), ';').data;
      const fierte = parsed.find((r) => r.question_id === 'opinions_territoire__fierte' && r.option_code === 'accord')!;
      expect(fierte.percent).toBe('66,7');
      expect(fierte.question_label).toBe('Es-tu d’accord avec ces phrases ? — Je suis fier ou fière de mon territoire.');
      expect(parsed.find((r) => r.option_code === 'feminin')!.option_label).toBe('Féminin');

      const responses = await capture((sink) => writeResponsesCsv(db, q, sink, { excel: true }));
      expect(responses.charCodeAt(0)).toBe(0xfeff);
      const lines = responses.slice(1).split('\r\n');
      expect(lines[0].split(';').slice(0, 4)).toEqual(['response_id', 'questionnaire_version', 'channel', 'completed_date']);
      const data = parse(responses.slice(1), ';').data;
      expect(data).toHaveLength(5);
      const first = data.find((r) => r.response_id === ids[0])!;
      expect(first.mots_industrie).toBe("'=SUM(A1)");
      expect(first.commune__nom).toBe('Béthune');
      expect(data.find((r) => r.response_id === ids[3])!.ameliorer_territoire).toBe(FIVE[3].answers[2].ameliorer_territoire);

      const codebook = await capture((sink) => writeCodebookCsv(q, sink, { excel: true }));
      expect(codebook.startsWith('\ufeffcolumn;question_id;question_label;type;section;codes\r\n')).toBe(true);
    });
  });

  describe('codebook.csv', () => {
    it('describes every column of responses.csv: question text, type, section, codes and labels', async () => {
      const data = parse(await capture((sink) => writeCodebookCsv(q, sink))).data;
      expect(data.map((r) => r.column)).toEqual(responseColumns(q).map((c) => c.name));
      const byColumn = Object.fromEntries(data.map((r) => [r.column, r]));
      expect(byColumn.genre).toEqual({
        column: 'genre',
        question_id: 'genre',
        question_label: 'Quel est ton genre ?',
        type: 'choix unique (code)',
        section: 'Mon identité',
        codes: 'masculin = Masculin | feminin = Féminin | autre = Autre | non_reponse = Je préfère ne pas répondre',
      });
      expect(byColumn.points_forts__histoire).toMatchObject({
        question_label: 'Quels sont les points forts de ton territoire ? — L’histoire et le patrimoine (mines, terrils…)',
        type: 'choix multiple (0 = non coché, 1 = coché)',
        codes: '1 = coché | 0 = non coché',
        section: 'Mon territoire',
      });
      expect(byColumn.commune__epci.codes).toContain('hors_pma = Hors PMA');
      expect(byColumn.age__groupe.codes).toBe('mineurs_15_17 = 15-17 ans (mineurs) | jeunes_18_25 = 18-25 ans | autre = Autre âge');
      expect(byColumn.attentes_emploi__salaire.type).toBe('classement (rang, vide si non classé)');
      expect(byColumn.response_id.type).toBe('métadonnée');
      expect(codebookRows(q)).toHaveLength(data.length);
    });
  });

  describe('streaming', () => {
    it('waits for drain when the sink is full, and stops when the client goes away', async () => {
      const sink = new MemorySink(1024);
      const finished = new Promise((resolve) => sink.on('finish', resolve));
      await writeResponsesCsv(db, q, sink, { pageSize: 1 });
      await finished;
      expect(sink.writes).toBe(6);
      expect(sink.text).toBe([...responsesCsvChunks(db, q)].join(''));

      const gone = new MemorySink(16);
      let pages = 0;
      function* chunks() {
        for (let i = 0; i < 100; i++) {
          pages++;
          if (i === 2) gone.destroy();
          yield 'x'.repeat(100);
        }
      }
      await pump(chunks(), gone);
      expect(pages).toBeLessThan(5);
      // The connection is free again: another query runs.
      expect(computeResults(db, q).responses).toBe(5);
    });
  });
});
