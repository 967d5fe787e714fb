// A fixed-seed generator makes bootstrap intervals reproducible: the same benchmark data always
// yields the same report, so a changed CI means changed data, not resampling noise.

/** mulberry32: tiny 32-bit PRNG returning uniform floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
