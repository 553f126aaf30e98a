/** What the recurrent cells (rnn, gru, lstm) share: the hidden-size param, the init choice and PyTorch's weight layout. */
import type { Init, ParamDef, PortTypes, ValueType, WeightDef } from './types.ts';
import { requireVector, vector, vectorSize } from './shape.ts';

/** Largest hidden size any block accepts; keeps one weight under 2^28 elements at the largest input. */
export const MAX_HIDDEN = 16384;

export const hiddenSizeParam = { kind: 'int', doc: 'state size H', default: 64, min: 1, max: MAX_HIDDEN } as const satisfies ParamDef;

export const recurrentInitParam = {
  kind: 'enum',
  doc: 'initialiser of weight_hh: PyTorch uniform(±1/√H), orthogonal per gate, identity (IRNN) or Glorot',
  values: ['pytorch', 'orthogonal', 'identity', 'glorot'],
  default: 'pytorch',
} as const satisfies ParamDef;

export const recurrentBiasParam = { kind: 'bool', doc: 'learn bias_ih and bias_hh', default: true } as const satisfies ParamDef;

/** What a cell's state ports must carry: `[hidden]` each (used to size the delays that feed them). */
export function stateExpectations(hidden: number, states: readonly string[]): Record<string, ValueType> {
  return Object.fromEntries(states.map((s) => [s, vector(hidden)]));
}

/** A cell's shape rule on its inputs: `x` any vector, every state port `[hidden]`. */
export function checkCellInputs(ins: PortTypes, hidden: number, states: readonly string[]): void {
  vectorSize(ins, 'x');
  for (const s of states) requireVector(ins, s, hidden, `hidden = ${hidden}`);
}

export type RecurrentInit = (typeof recurrentInitParam.values)[number];

/**
 * PyTorch's layout for a cell with `gates` stacked gate blocks: weight_ih [G·H, I], weight_hh [G·H, H],
 * bias_ih and bias_hh [G·H]. `biasInit` overrides bias_ih (e.g. the LSTM forget-gate bias).
 */
export function recurrentWeights(
  gates: number,
  inputSize: number,
  hidden: number,
  bias: boolean,
  init: RecurrentInit,
  biasInit?: Init,
): WeightDef[] {
  const bound = 1 / Math.sqrt(hidden);
  const pytorch: Init = { kind: 'uniform', bound };
  const hh: Init =
    init === 'orthogonal'
      ? { kind: 'orthogonal', gain: 1, blocks: gates }
      : init === 'identity'
        ? { kind: 'identity', scale: 1, blocks: gates }
        : init === 'glorot'
          ? { kind: 'glorot' }
          : pytorch;
  const ih: Init = init === 'glorot' ? { kind: 'glorot' } : pytorch;
  const b: Init = init === 'identity' ? { kind: 'zeros' } : pytorch;
  const weights: WeightDef[] = [
    { name: 'weight_ih', shape: [gates * hidden, inputSize], init: ih, doc: 'input-to-hidden weights, gates stacked' },
    { name: 'weight_hh', shape: [gates * hidden, hidden], init: hh, doc: 'hidden-to-hidden weights, gates stacked' },
  ];
  if (bias) {
    weights.push(
      { name: 'bias_ih', shape: [gates * hidden], init: biasInit ?? b, doc: 'input-to-hidden bias, gates stacked' },
      { name: 'bias_hh', shape: [gates * hidden], init: b, doc: 'hidden-to-hidden bias, gates stacked' },
    );
  }
  return weights;
}
