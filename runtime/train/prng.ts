/**
 * A seeded, platform-independent pseudo-random number generator for weight initialisation,
 * shuffling and dropout masks.
 *
 * Generator: xoshiro128** 1.1 (Blackman & Vigna), 128 bits of state in four uint32 words. Seeding:
 * the four words are the first four outputs of splitmix32 (the 32-bit SplitMix variant with the
 * Hash-Prospector finaliser `0x21f0aaad` / `0x735a2d97`). All integer arithmetic is uint32 through
 * `Math.imul` and `>>> 0`, so `uint32`, `next`, `int` and `shuffle` give the same bits in every
 * JavaScript engine on every platform. `normal` also calls `Math.log/sqrt/cos/sin`; V8 (Node,
 * Chrome) computes those with the same fdlibm port everywhere, other engines may differ in the
 * last bit.
 */

/** An array whose elements can be read and written by index: plain arrays and typed arrays. */
export interface MutableArrayLike<T> {
  readonly length: number;
  [index: number]: T;
}

const TWO_POW_32 = 4294967296;
/** 2^-53: turns a 53-bit integer into a double in [0, 1) without rounding. */
const TWO_POW_MINUS_53 = 1 / 9007199254740992;

/** Length of the array from `getState`: 4 generator words, the "spare normal ready" flag, the spare. */
const STATE_LENGTH = 6;

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** murmur3's 32-bit finaliser: a bijection on uint32 that mixes every input bit into every output bit. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fills four state words from a 32-bit key with splitmix32 (never all zero for a good key stream). */
function splitmix32Words(key: number): [number, number, number, number] {
  let z = key >>> 0;
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    z = (z + 0x9e3779b9) | 0;
    let t = z ^ (z >>> 16);
    t = Math.imul(t, 0x21f0aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    t ^= t >>> 15;
    out.push(t >>> 0);
  }
  return out as [number, number, number, number];
}

/**
 * The 32-bit splitmix key of a seed. Integers in [0, 2^32) are their own key (the usual convention);
 * any other finite number is hashed from its IEEE-754 bits (big-endian, so the result does not
 * depend on the host's byte order). -0 counts as 0.
 */
function seedKey(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`Rng seed must be a finite number, got ${seed}`);
  if (Number.isInteger(seed) && seed >= 0 && seed < TWO_POW_32) return seed >>> 0;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed, false);
  // Mixing hi first and xoring a constant keeps small negative integers away from small positive keys.
  return fmix32(fmix32(view.getUint32(0, false) ^ 0x6a09e667) ^ view.getUint32(4, false));
}

/**
 * One 32-bit murmur3-style hash of a list of uint32 words under a seed. `fork` runs it with four
 * seeds to derive 128 bits, so two forks collide only if all four hashes do.
 */
function hashWords(words: readonly number[], seed: number): number {
  let h = seed >>> 0;
  for (const w of words) {
    let k = Math.imul(w, 0xcc9e2d51);
    k = rotl(k, 15);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = rotl(h, 13);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ words.length);
}

/**
 * A deterministic random stream. Everything it will produce is determined by its state
 * (`getState`), so a checkpoint that stores the state resumes bit-identically.
 */
export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** Box–Muller makes normals in pairs; the second waits here. Part of the state. */
  private hasSpare = false;
  private spare = 0;

  /**
   * @param seed any finite number. Integers in [0, 2^32) seed splitmix32 directly; other values
   *   (negatives, fractions, large integers) are hashed from their bits to a 32-bit key first, so
   *   distinct seeds can (rarely, ~2^-32) give the same stream.
   */
  constructor(seed: number) {
    [this.s0, this.s1, this.s2, this.s3] = splitmix32Words(seedKey(seed));
  }

  /** A generator that continues exactly where the one that produced `state` (via `getState`) was. */
  static fromState(state: readonly number[]): Rng {
    const rng = new Rng(0);
    rng.setState(state);
    return rng;
  }

  /** The next uniformly distributed integer in [0, 2^32). Advances the stream by one draw. */
  uint32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /**
   * A uniform double in [0, 1) with 53 random bits (two `uint32` draws: the top 27 bits of the first
   * and the top 26 of the second), so every multiple of 2^-53 in [0, 1) is equally likely.
   */
  next(): number {
    const hi = this.uint32() >>> 5;
    const lo = this.uint32() >>> 6;
    return (hi * 67108864 + lo) * TWO_POW_MINUS_53;
  }

  /** A uniform double in [lo, hi) (rounding can give exactly `hi` when the range is huge). Two draws. */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /**
   * A standard normal N(0, 1) sample by the Box–Muller transform. Each pair of uniforms (four
   * `uint32` draws) yields two independent normals; the second is kept and returned by the next call.
   */
  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    const u1 = 1 - this.next();
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    this.hasSpare = true;
    return r * Math.cos(theta);
  }

  /**
   * An unbiased integer in [0, n) for an integer 1 ≤ n ≤ 2^32. Rejection sampling: draws falling in
   * the incomplete last block of `n` values (fewer than n of 2^32) are redrawn, so every residue is
   * equally likely; the expected number of draws is below 2.
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_32) {
      throw new RangeError(`Rng.int needs an integer n in [1, 2^32], got ${n}`);
    }
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.uint32();
      if (x < limit) return x % n;
    }
  }

  /**
   * Shuffles `array` in place (Fisher–Yates, from the last element down: element i swaps with a
   * uniform index in [0, i]) and returns it. Uses `length − 1` calls of `int`.
   */
  shuffle<A extends MutableArrayLike<unknown>>(array: A): A {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  /**
   * An independent stream named `label`, derived by hashing this generator's current four words
   * together with the label's UTF-16 code units. Does not advance this generator or touch its spare
   * normal, so adding a consumer that forks never changes what other consumers see. Forking twice
   * with the same label from the same state gives the same stream.
   */
  fork(label: string): Rng {
    const words = [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0];
    for (let i = 0; i < label.length; i++) words.push(label.charCodeAt(i));
    const child = new Rng(0);
    const s = [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344].map((k) => hashWords(words, k));
    // xoshiro must not start from all zeros; fall back to a fixed splitmix stream of the first hash.
    if (s.every((w) => w === 0)) child.setState([...splitmix32Words(0x9e3779b9), 0, 0]);
    else child.setState([...s, 0, 0]);
    return child;
  }

  /**
   * A copy of the full state as plain numbers (JSON-safe):
   * `[s0, s1, s2, s3, hasSpare (0 | 1), spare]` — the xoshiro words as uint32 and the cached normal.
   */
  getState(): number[] {
    return [this.s0 >>> 0, this.s1 >>> 0, this.s2 >>> 0, this.s3 >>> 0, this.hasSpare ? 1 : 0, this.spare];
  }

  /** Restores a state from `getState`. Throws a RangeError on anything `getState` cannot produce. */
  setState(state: readonly number[]): void {
    if (state.length !== STATE_LENGTH) {
      throw new RangeError(`Rng state must have ${STATE_LENGTH} numbers, got ${state.length}`);
    }
    const [s0, s1, s2, s3, flag, spare] = state as [number, number, number, number, number, number];
    const words = [s0, s1, s2, s3];
    if (!words.every((w) => Number.isInteger(w) && w >= 0 && w < TWO_POW_32)) {
      throw new RangeError('Rng state words must be integers in [0, 2^32)');
    }
    if (words.every((w) => w === 0)) throw new RangeError('Rng state words must not all be zero');
    if (flag !== 0 && flag !== 1) throw new RangeError('Rng state flag must be 0 or 1');
    if (!Number.isFinite(spare)) throw new RangeError('Rng state spare normal must be finite');
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
    this.hasSpare = flag === 1;
    this.spare = spare;
  }
}
