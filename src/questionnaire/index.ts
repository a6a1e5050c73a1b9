import { monAvenirEnArtois } from './mon-avenir-en-artois.js';
import { parseQuestionnaire, type Questionnaire } from './schema.js';

/** The questionnaire in use, validated: a broken definition stops the start with its errors. */
export function loadQuestionnaire(): Questionnaire {
  return parseQuestionnaire(monAvenirEnArtois);
}
