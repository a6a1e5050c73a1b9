-- Reference margins of the population (issue 12): what the respondents are compared with on the
-- representativeness page and what raking weights are fitted to (src/weights/). Kept as data,
-- each with the population it describes, its source and its year, editable by admins.

CREATE TABLE reference_margins (
  -- stable ASCII snake_case id
  id TEXT PRIMARY KEY,
  -- a filter variable of the results (src/results/model.ts): "genre", "filiere", "commune__epci", …
  variable TEXT NOT NULL,
  label TEXT NOT NULL,
  -- the population it describes, in French: « habitants du PMA âgés de 15 à 24 ans »
  population TEXT NOT NULL,
  -- JSON {"variable": "age__groupe", "codes": ["mineurs_15_17"]}: the respondents the margin is
  -- about (the others are outside it); NULL = every respondent
  universe TEXT,
  -- JSON [{"code": "scolarise", "label": "Scolarisés", "codes": ["college", …], "share": 94.6}, …]:
  -- the categories the reference has, each grouping codes of the variable (a code in no category
  -- is outside the reference: « autre », « hors PMA », no answer); share in %, null = to be
  -- entered by an admin (never invented)
  categories TEXT NOT NULL,
  source TEXT NOT NULL DEFAULT '',
  year INTEGER,
  -- what the comparison means (how the questionnaire's codes were matched to the reference)
  note TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The weighting in force (at most one): the margins chosen and the raking options. The weights
-- themselves are in response_weights (migration 017), rebuilt by ensureWeights when built_for
-- no longer matches results_version (a response completed, deleted, flagged…) or is NULL.
CREATE TABLE weighting (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  -- JSON ["genre_15_24", …]: ids of reference_margins, in raking order
  margins TEXT NOT NULL,
  tolerance REAL NOT NULL CHECK (tolerance > 0),
  max_iterations INTEGER NOT NULL CHECK (max_iterations > 0),
  -- trimming: weights capped at cap × the mean weight; NULL = no trimming
  cap REAL CHECK (cap IS NULL OR cap > 1),
  saved_by TEXT,
  saved_at TEXT NOT NULL,
  built_for TEXT,
  -- JSON summary of the last build (iterations, convergence, design effect, distribution)
  summary TEXT
) STRICT;

-- An edited margin changes the weights fitted to it.
CREATE TRIGGER reference_margins_update AFTER UPDATE ON reference_margins
BEGIN
  UPDATE weighting SET built_for = NULL;
END;
CREATE TRIGGER reference_margins_delete AFTER DELETE ON reference_margins
BEGIN
  UPDATE weighting SET built_for = NULL;
END;

-- What the report sources exactly (Cercle de qualité 2022-2023, fonds documentaire pp. 30 and 70-85).
INSERT INTO reference_margins (id, variable, label, population, universe, categories, source, year, note, position) VALUES
(
  'sexe_15_24', 'genre', 'Sexe des 15-24 ans', 'habitants du PMA âgés de 15 à 24 ans', NULL,
  '[{"code":"masculin","label":"Hommes","codes":["masculin"],"share":51.5},{"code":"feminin","label":"Femmes","codes":["feminin"],"share":48.5}]',
  'INSEE, recensement de la population 2019', 2019,
  'Le rapport donne 51,5 % d’hommes parmi les habitants du PMA âgés de 15 à 24 ans ; le recensement ne connaît que deux sexes, les femmes sont donc 48,5 %. Les répondants de genre « autre » ou qui préfèrent ne pas répondre sont laissés hors de la comparaison.',
  1
),
(
  'voie_lycee', 'filiere', 'Lycéens par voie', 'lycéens scolarisés sur le territoire du PMA (environ 23 000 en 2022)', NULL,
  '[{"code":"professionnelle","label":"Voie professionnelle","codes":["professionnelle"],"share":40},{"code":"generale","label":"Voie générale","codes":["generale"],"share":40},{"code":"technologique","label":"Voie technologique","codes":["technologique"],"share":20}]',
  'INSEE, Base donnée Éducation des QPV, 2022', 2022,
  'La question de la voie n’est posée qu’aux répondants au lycée : les autres sont hors de la comparaison.',
  2
),
(
  'scolarisation_15_17', 'situation', 'Scolarisation des 15-17 ans', 'habitants du PMA âgés de 15 à 17 ans', '{"variable":"age__groupe","codes":["mineurs_15_17"]}',
  '[{"code":"scolarise","label":"Scolarisés","codes":["college","lycee","etudes_sup","apprentissage"],"share":94.6},{"code":"non_scolarise","label":"Non scolarisés","codes":["emploi","recherche"],"share":5.4}]',
  'INSEE, recensement de la population 2019', 2019,
  'Comparaison des répondants de 15 à 17 ans seulement. Au recensement, est scolarisé qui est inscrit dans un établissement d’enseignement ; on compte comme scolarisés les répondants au collège, au lycée, en études supérieures ou en apprentissage (inscrits en CFA), comme non scolarisés ceux en emploi ou en recherche d’emploi ou de formation ; la situation « autre » est laissée hors de la comparaison. Le rapport compare ainsi 96,9 % de répondants mineurs en formation aux 94,6 % d’habitants de 15 à 17 ans scolarisés.',
  3
),
(
  'epci_tous_ages', 'commune__epci', 'Habitants par intercommunalité (tous âges)', 'habitants du PMA, tous âges (644 475 habitants)', NULL,
  '[{"code":"cabbalr","label":"CA de Béthune-Bruay, Artois-Lys Romane","codes":["cabbalr"],"share":42.8628},{"code":"call","label":"CA de Lens-Liévin","codes":["call"],"share":37.4367},{"code":"cahc","label":"CA d''Hénin-Carvin","codes":["cahc"],"share":19.7005}]',
  'AULA/INSEE, recensement de la population 2018', 2018,
  'Parts calculées sur les populations que donne le rapport : CABBALR 276 240, CALL 241 270, CAHC 126 965 habitants, PMA 644 475. Tous âges : la répartition des 15-24 ans peut en différer, c’est une comparaison indicative. Les répondants hors PMA sont hors de la comparaison.',
  4
),
(
  'epci_15_24', 'commune__epci', 'Habitants de 15 à 24 ans par intercommunalité', 'habitants du PMA âgés de 15 à 24 ans', NULL,
  '[{"code":"cabbalr","label":"CA de Béthune-Bruay, Artois-Lys Romane","codes":["cabbalr"],"share":null},{"code":"call","label":"CA de Lens-Liévin","codes":["call"],"share":null},{"code":"cahc","label":"CA d''Hénin-Carvin","codes":["cahc"],"share":null}]',
  '', NULL,
  'Le rapport ne donne pas la répartition des 15-24 ans par intercommunalité : à renseigner depuis le recensement de l’INSEE. Les répondants hors PMA sont hors de la comparaison.',
  5
);
