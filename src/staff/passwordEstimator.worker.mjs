// zxcvbn in its own thread (see passwordPolicy.ts): its dictionaries live and die with this
// worker, so the server's memory comes back once nobody has chosen a password for a while.
// Plain JavaScript: the worker starts without the TypeScript loader.
import { parentPort } from 'node:worker_threads';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as french from '@zxcvbn-ts/language-fr';

// No Levenshtein matching: it multiplies the cost of a check by ~15 (100+ ms of CPU each) for
// little gain once the exact, l33t and reversed dictionary matches are in.
const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary, ...french.dictionary },
  graphs: common.adjacencyGraphs,
  translations: french.translations,
});

parentPort.on('message', ({ id, password, inputs }) => {
  try {
    const r = zxcvbn.check(password, inputs);
    parentPort.postMessage({ id, score: r.score, warning: r.feedback.warning, suggestions: r.feedback.suggestions });
  } catch (e) {
    parentPort.postMessage({ id, error: String(e) });
  }
});
