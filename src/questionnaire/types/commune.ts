import { fr } from '../../strings.js';
import type { Question } from '../schema.js';
import { normalizeName, type EpciCode } from '../../territory/communes.js';
import { cleanText, draftChars, fieldId, readOne, SINGLE_VALUE, type QuestionType } from './common.js';

type CommuneQ = Extract<Question, { type: 'commune' }>;
export type CommuneValue = { insee: string; name: string; epci: EpciCode };

/** Suffix of the derived intercommunality answer row and export column. */
export const EPCI_SUFFIX = 'epci';
/** The longest commune name of France has 45 characters; a typed name is kept up to twice that. */
const COMMUNE_NAME_CHARS = 90;
/** An INSEE code has 5 characters; one more keeps a forged code unknown. */
const INSEE_CHARS = 6;
/** Radio buttons offered after an unknown or shared name. */
const choiceField = (q: CommuneQ) => `${q.id}__choix`;
/** Hidden field carrying an earlier pick, valid while the text still shows that commune's name. */
const keptField = (q: CommuneQ) => `${q.id}__retenue`;

/**
 * A commune typed freely (a datalist of the PMA's communes helps, no JavaScript needed), resolved
 * on the server to its INSEE code. When the name is unknown or shared by several communes, the
 * page comes back with the closest official names as radio buttons to pick from.
 */
export const communeType: QuestionType<CommuneQ, CommuneValue> = {
  fieldNames: (q) => [q.id, choiceField(q), keptField(q)],
  draftLimit: (q, field) => ({ chars: field === q.id ? draftChars(COMMUNE_NAME_CHARS) : INSEE_CHARS, values: SINGLE_VALUE }),
  parse(q, raw, ctx) {
    const field = fieldId(q.id);
    const typed = readOne(raw, q.id);
    const choice = readOne(raw, choiceField(q));
    const kept = readOne(raw, keptField(q));
    if (typed.repeated || choice.repeated || kept.repeated) {
      return { value: undefined, errors: [{ field, message: fr.errors.repeated }] };
    }
    const text = cleanText(typed.value, false);
    // A commune picked among the suggestions wins, if it is a real one; an earlier pick holds
    // while the text field still shows its name.
    const picked = choice.value ? ctx.territory.byInsee.get(choice.value) : undefined;
    const keptCommune = kept.value ? ctx.territory.byInsee.get(kept.value) : undefined;
    const chosen =
      picked ?? (keptCommune && normalizeName(text) === normalizeName(keptCommune.name) ? keptCommune : undefined);
    if (chosen) return { value: { insee: chosen.insee, name: chosen.name, epci: chosen.epci }, errors: [] };
    if (!text) return { value: undefined, errors: q.required ? [{ field, message: fr.errors.required }] : [] };
    const r = ctx.territory.resolve(text);
    // A name shared with communes elsewhere resolves to the PMA one, but never silently: the page
    // comes back once saying which commune was recognised, pre-selected among the others.
    if (r.status === 'found' && r.others?.length) {
      return { value: undefined, errors: [{ field, message: fr.errors.communeRecognised(r.commune.displayName) }] };
    }
    if (r.status === 'found') return { value: { insee: r.commune.insee, name: r.commune.name, epci: r.commune.epci }, errors: [] };
    const message =
      r.status === 'ambiguous'
        ? fr.errors.communeAmbiguous
        : r.suggestions.length
          ? fr.errors.communeUnknownWithSuggestions
          : fr.errors.communeUnknown;
    return { value: undefined, errors: [{ field, message }] };
  },
  toRows: (q, v) => [
    { questionId: q.id, optionCode: v.insee, valueText: v.name, valueNum: null },
    { questionId: `${q.id}__${EPCI_SUFFIX}`, optionCode: v.epci, valueText: null, valueNum: null },
  ],
  view(q, raw, errors, ctx) {
    const typed = readOne(raw, q.id).value;
    const chosen = readOne(raw, choiceField(q)).value || readOne(raw, keptField(q)).value;
    const hasError = errors.some((e) => e.field === fieldId(q.id));
    let suggestions: { code: string; label: string; id: string; checked: boolean }[] = [];
    let suggestionsLegend = '';
    if (hasError && cleanText(typed, false)) {
      const r = ctx.territory.resolve(cleanText(typed, false));
      const list =
        r.status === 'ambiguous' ? r.candidates : r.status === 'unknown' ? r.suggestions : r.others ? [r.commune, ...r.others] : [];
      // The recognised PMA commune is ticked until the respondent picks another one.
      // (An earlier pick kept for another name is not among these.)
      const ticked = list.some((c) => c.insee === chosen) ? chosen : r.status === 'found' ? r.commune.insee : '';
      suggestionsLegend =
        r.status === 'ambiguous' ? fr.survey.communeChooseAmong : r.status === 'unknown' ? fr.survey.communeDidYouMean : fr.survey.communeConfirm;
      suggestions = list.slice(0, 8).map((c) => ({
        code: c.insee,
        label: `${c.displayName.replace(/ \(\w+\)$/, '')} (${c.postalCodes[0] ?? c.department})`,
        id: fieldId(q.id, 'choix', c.insee),
        checked: ticked === c.insee,
      }));
    }
    // After a pick, show the official name in the text field, and which commune it is when the
    // name is shared (« Richebourg (62) »).
    const picked = chosen && !hasError ? ctx.territory.byInsee.get(chosen) : undefined;
    const pickedName = picked?.name;
    return {
      recognised: picked && picked.displayName !== picked.name ? fr.survey.communeRecognised(picked.displayName) : undefined,
      suggestionsLegend,
      id: fieldId(q.id),
      value: pickedName ?? typed,
      kept: pickedName ? { name: keptField(q), value: chosen } : undefined,
      datalistId: fieldId(q.id, 'liste'),
      choiceName: choiceField(q),
      suggestions,
      suggestionsLegendId: fieldId(q.id, 'choix-legende'),
      datalistHint: fr.survey.communeDatalistHint,
    };
  },
};
