import badwords from 'french-badwords-list';
import { fold, words } from '../text/normalise.js';

// The French profanity list (french-badwords-list, with its leetspeak spellings) applied to
// anything participants send before it reaches a screen. A word on the list holds the entry back
// for the facilitator; nothing is rewritten.

// A few words the list lacks that a room of teenagers will type.
const EXTRA = ['pd', 'fdp', 'ntm', 'tg', 'encule', 'enculé', 'salope', 'batard', 'bâtard'];

const LIST = new Set([...(badwords as { array: string[] }).array, ...EXTRA].map((w) => fold(w).replace(/-/g, '')));

/** True when a word of the text (folded as the word cloud folds it) is on the profanity list. */
export function isProfane(text: string): boolean {
  // The list has leetspeak spellings (« @brut! »): test each space-separated chunk as typed too.
  for (const chunk of fold(text).split(/\s+/)) if (chunk && LIST.has(chunk.replace(/[.,;:?!'"()]+$/g, ''))) return true;
  return words(text).some((w) => LIST.has(w));
}
