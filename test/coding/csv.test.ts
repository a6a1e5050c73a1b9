import { describe, expect, it } from 'vitest';
import { codebookCsv, detectDelimiter, parseCodebookCsv } from '../../src/coding/csv.js';
import { REPORT_THEMES } from '../../src/coding/reportThemes.js';

// The codebook CSV: round trip in both dialects, BOM, « ; », quoting; a bad file refused whole
// with one French message per problem and its line.

const themes = REPORT_THEMES.map((t, i) => ({ ...t, position: i }));

describe('codebook CSV', () => {
  it.each([
    ['standard (« , », LF, no BOM)', false],
    ['Excel (« ; », CRLF, BOM)', true],
  ])('round-trips the report codebook: %s', (_name, excel) => {
    const csv = codebookCsv(themes, { excel });
    expect(csv.startsWith('\ufeff')).toBe(excel);
    expect(csv.split(excel ? '\r\n' : '\n')[excel ? 0 : 0].replace('\ufeff', '')).toBe(excel ? 'code;label;definition;keywords' : 'code,label,definition,keywords');
    const back = parseCodebookCsv(csv);
    expect(back).toEqual({ ok: true, themes: REPORT_THEMES });
  });

  it('reads a hand-made file: BOM, « ; », quotes, a cell over two lines, French headers in another order', () => {
    const csv = '\ufeffLibellé;Code;Mots-clés;Définition\r\n"Emploi; travail";emploi;usine|emplois | Métier;"Produire,\r\nemployer"\r\n\r\nPollution;pollution;"pollu*";\r\n';
    expect(detectDelimiter(csv.slice(1))).toBe(';');
    expect(parseCodebookCsv(csv)).toEqual({
      ok: true,
      themes: [
        { code: 'emploi', label: 'Emploi; travail', definition: 'Produire,\r\nemployer', keywords: ['usine', 'emplois', 'Métier'] },
        { code: 'pollution', label: 'Pollution', definition: '', keywords: ['pollu*'] },
      ],
    });
  });

  it('accepts a file with only code and label', () => {
    expect(parseCodebookCsv('code,label\nemploi,Emploi\n')).toEqual({ ok: true, themes: [{ code: 'emploi', label: 'Emploi', definition: '', keywords: [] }] });
  });

  it('refuses a bad file whole, with every problem and its line', () => {
    const csv = [
      'code,label,definition,keywords',
      'emploi,Emploi,,usine|emploi',
      'conditions,Conditions,"Pénible, dur",penible',
      'Emploi,Emploi bis,,',
      ',Sans code,,',
      'environnement,,,pollu*',
      'emploi,Doublon,,',
      'valeurs,Valeurs,,entraide,solidarite',
      'ok_code,Bien,,"de|la"',
      'dernier,"Guillemet jamais fermé,,',
    ].join('\n');
    const r = parseCodebookCsv(csv);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.message)).toEqual([
      'Ligne 4 : le code « Emploi » doit être écrit en minuscules sans accent ni espace (lettres a-z, chiffres, « _ », en commençant par une lettre), par exemple « emploi ».',
      'Ligne 5 : indiquez un code.',
      'Ligne 6 : indiquez un libellé.',
      'Ligne 7 : le code « emploi » figure déjà ligne 2.',
      'Ligne 8 : 5 colonnes au lieu de 4 : un « , » de trop ? Entourez de guillemets un texte qui en contient.',
      'Ligne 9 : le mot-clé « de » n’est fait que de mots outils (« de », « la », « les »…), ignorés dans les textes : il ne trouverait rien.',
      'Ligne 9 : le mot-clé « la » n’est fait que de mots outils (« de », « la », « les »…), ignorés dans les textes : il ne trouverait rien.',
      'Ligne 10 : un guillemet ouvert n’est pas fermé.',
    ]);
    expect(r.errors.map((e) => e.line)).toEqual([4, 5, 6, 7, 8, 9, 9, 10]);
  });

  it.each([
    ['', 'Le fichier est vide.'],
    ['\ufeff\n\n', 'Le fichier est vide.'],
    ['code,label\n', 'Le fichier n’a aucun thème (seulement l’en-tête).'],
    ['nom,libelle\nemploi,Emploi', 'Ligne 1 : l’en-tête « nom,libelle » n’est pas celui attendu : « code,label,definition,keywords » (code et label obligatoires).'],
    ['code,label\nemploi,Caf\ufffd', 'Le fichier n’est pas un texte en UTF-8 : enregistrez-le en « CSV UTF-8 ».'],
  ])('refuses %j', (csv, message) => {
    const r = parseCodebookCsv(csv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.message)).toEqual([message]);
  });
});
