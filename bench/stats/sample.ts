// Shared input checks: every statistic here is meaningless on an empty sample or on NaN/Infinity,
// and silently propagating NaN into a benchmark report hides the broken run that produced it.

export function assertSample(xs: readonly number[], name = "sample"): void {
  if (xs.length === 0) {
    throw new RangeError(`${name} must contain at least one value`);
  }
  for (const x of xs) {
    if (!Number.isFinite(x)) {
      throw new RangeError(`${name} must contain only finite numbers, got ${x}`);
    }
  }
}

export function assertProbability(p: number, name: string): void {
  if (!(Number.isFinite(p) && p > 0 && p < 1)) {
    throw new RangeError(`${name} must be strictly between 0 and 1, got ${p}`);
  }
}

export function sortedCopy(xs: readonly number[]): number[] {
  return [...xs].sort((x, y) => x - y);
}

// Index checks are done by the callers' arithmetic; this only narrows `number | undefined`
// (noUncheckedIndexedAccess) without a non-null assertion.
export function at(xs: ArrayLike<number>, i: number): number {
  const x = xs[i];
  if (x === undefined) {
    throw new RangeError(`index ${i} out of range for length ${xs.length}`);
  }
  return x;
}
