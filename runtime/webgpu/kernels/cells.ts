/** The fused recurrent cells' kernels (LSTM and GRU pointwise parts, forward and backward). */
export { lstmBwd, lstmFwd } from './lstm.ts';
export { gruBwd, gruFwd } from './gru.ts';
