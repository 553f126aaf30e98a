/**
 * TF.js's side of the benchmark: the same workload as a Keras-style model (recurrent layer
 * returning every step, a dense layer applied at every step, MSE, Adam at lr 1e-3) on one of
 * TF.js's backends, trained with `trainOnBatch` on one fixed random batch.
 */
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { WorkloadShape } from './workloads.ts';

/** TF.js backends the benchmark runs (tfjs-node cannot install here). */
export type TfBackend = 'cpu' | 'wasm';

/** Switch TF.js to `backend` (the wasm backend single-threaded, as it runs in Node). */
export async function useBackend(backend: TfBackend): Promise<void> {
  if (backend === 'wasm') setThreadsCount(1);
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} failed to start`);
  await tf.ready();
}

/** A ready-to-time TF.js workload: `step()` is one training step (or one forward pass). */
export interface TfRun {
  readonly step: () => Promise<number>;
  readonly dispose: () => void;
}

export function tfjsRun(w: WorkloadShape, train: boolean): TfRun {
  const layer = { units: w.hidden, returnSequences: true, inputShape: [w.steps, w.input] };
  const model = tf.sequential();
  model.add(w.cell === 'lstm' ? tf.layers.lstm(layer) : w.cell === 'gru' ? tf.layers.gru(layer) : tf.layers.simpleRNN(layer));
  model.add(tf.layers.timeDistributed({ layer: tf.layers.dense({ units: w.output }) }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
  const x = tf.randomUniform([w.batch, w.steps, w.input], -1, 1, 'float32', 1);
  const y = tf.randomUniform([w.batch, w.steps, w.output], -1, 1, 'float32', 2);
  const step = train
    ? async () => Number(await model.trainOnBatch(x, y))
    : async () => {
        const out = model.predict(x) as tf.Tensor;
        const v = (await out.data())[0]!;
        out.dispose();
        return v;
      };
  return {
    step,
    dispose: () => {
      x.dispose();
      y.dispose();
      model.dispose();
    },
  };
}
