/**
 * A hook every long computation of the runtime calls between pieces of work: each instruction of a
 * pass, row blocks of big kernels, lowering, planning, data generation, optimiser chunks, weights
 * files. The training worker installs one to send its watchdog heartbeats and to abort a step when
 * asked to pause or stop; with none installed a call costs one comparison.
 *
 * A hook may throw to abandon the computation (the pass is then in an unspecified state, but the
 * weights are untouched: they change only in the optimiser step, after backward returns).
 */
let hook: (() => void) | undefined;

/** Install (or with `undefined` remove) the progress hook of this thread. */
export function setProgressHook(h: (() => void) | undefined): void {
  hook = h;
}

/** Report progress: call between pieces of work that together may take longer than ~50 ms. */
export function progress(): void {
  if (hook !== undefined) hook();
}
