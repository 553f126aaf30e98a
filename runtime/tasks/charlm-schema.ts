/**
 * The schema of task `charlm` (see charlm.ts), without its generator and its text, for the
 * editor's page. The check needs only the text's length, kept here as a number that charlm.test.ts
 * compares with the text.
 */
import type { ParamProblem, TaskSchema } from './types.ts';

/** Characters in charlm's text (`CHARLM_TEXT.length`); regenerating data/sotu.ts means updating it. */
export const CHARLM_TEXT_LENGTH = 320_323;

/** Where the test text starts: the last `fraction` of the text, by position. */
export const charlmTestStart = (fraction: number): number => Math.floor(CHARLM_TEXT_LENGTH * (1 - fraction));

export const charlmSchema: TaskSchema = {
  name: 'charlm',
  doc:
    'Character-level language model on ten State of the Union addresses (Lincoln 1861–64, Wilson 1913–18; public domain): ' +
    'predict the next character at every step; bits per character on the last part of the text.',
  params: {
    length: { kind: 'int', doc: 'characters per example (steps of backprop through time)', default: 100, min: 2, max: 10_000 },
    test_fraction: { kind: 'number', doc: 'fraction of the text, at its end, held out for the test split', default: 0.1, min: 0.01, max: 0.5 },
  },
  check(p): ParamProblem[] {
    const testChars = CHARLM_TEXT_LENGTH - charlmTestStart(Number(p.test_fraction));
    return Number(p.length) >= testChars
      ? [{ param: 'length', message: `length ${p.length} is not below the ${testChars} characters of the test text: lower it or raise test_fraction` }]
      : [];
  },
};
