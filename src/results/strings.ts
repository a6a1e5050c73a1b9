import { fr } from '../strings.js';

// The results engine's sentences live with every other string, in src/strings.ts.
export const frResults = fr.resultsEngine;
