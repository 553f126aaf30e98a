/**
 * The PyTorch golden files (fixtures/golden/{rnn,gru,lstm}.json, copied from ../shared/golden):
 * nn.RNN/GRU/LSTM (seed 0, input 3, hidden 4, batch 2, 5 steps) with outputs, final states, the
 * loss sum(output²) and its gradients, in float32 and float64. Read by the reference evaluator's
 * tests and the compiled runtime's.
 */
import { readFileSync } from 'node:fs';

export type Vec = number[];

export interface GoldenResult {
  readonly output: Vec[][]; // [batch][step][hidden]
  readonly loss: number;
  readonly h_n: Vec[][]; // [1][batch][hidden]
  readonly c_n?: Vec[][];
  readonly grads: Record<string, Vec | Vec[] | Vec[][]>;
}

export interface Golden {
  readonly cell: 'rnn' | 'gru' | 'lstm';
  readonly input_size: number;
  readonly hidden_size: number;
  readonly batch: number;
  readonly seq_len: number;
  readonly weight_shapes: Record<string, number[]>;
  readonly weights: Record<string, Vec | Vec[]>;
  readonly input: Vec[][]; // [batch][step][input]
  readonly zero_initial_state: { readonly float32: GoldenResult; readonly float64: GoldenResult };
  readonly initial_state: { readonly h0: Vec[][]; readonly c0?: Vec[][] };
  readonly with_initial_state: { readonly float32: GoldenResult; readonly float64: GoldenResult };
}

export const loadGolden = (cell: 'rnn' | 'gru' | 'lstm'): Golden =>
  JSON.parse(readFileSync(new URL(`./fixtures/golden/${cell}.json`, import.meta.url), 'utf8')) as Golden;
