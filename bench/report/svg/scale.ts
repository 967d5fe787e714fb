export interface Scale {
  /** The pixel coordinate of a data value, clamped to the domain. */
  at(x: number): number;
  domain: readonly [number, number];
  ticks: readonly number[];
}

// Tick labels read best on these steps: 0 20 40, 0 25 50, 0 50 100 ...
const STEPS = [1, 2, 2.5, 5, 10] as const;
const MANTISSAS = [1, 2, 5] as const;
// Floating-point noise (0.30000000000000004) would otherwise reach the tick labels.
const clean = (x: number): number => Number(x.toPrecision(12));

function niceStep(span: number, count: number): number {
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  return clean((STEPS.find((step) => step * power >= raw * (1 - 1e-9)) ?? 10) * power);
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

/** From 0 to the first round tick at or above max. */
export function linearScale(max: number, range: readonly [number, number], count = 5): Scale {
  const top = Number.isFinite(max) && max > 0 ? max : 1;
  const step = niceStep(top, count);
  const steps = Math.ceil(top / step - 1e-9);
  const end = clean(steps * step);
  const [from, to] = range;
  return {
    domain: [0, end],
    ticks: Array.from({ length: steps + 1 }, (_, i) => clean(i * step)),
    at: (x) => from + (clamp(x, 0, end) / end) * (to - from),
  };
}

// The 1-2-5 value nearest x on the given side: 340 → 200 (down) or 500 (up).
function oneTwoFive(x: number, direction: "down" | "up"): number {
  const power = 10 ** Math.floor(Math.log10(x));
  const candidates = [...MANTISSAS, 10].map((m) => clean(m * power));
  return direction === "down"
    ? (candidates.filter((c) => c <= x).at(-1) ?? power)
    : (candidates.find((c) => c >= x) ?? 10 * power);
}

/** Logarithmic, between 1-2-5 values around [lo, hi]; ticks at 1, 2, 5 per decade, or at decades. */
export function logScale(lo: number, hi: number, range: readonly [number, number]): Scale {
  const start = oneTwoFive(Math.max(lo, Number.MIN_VALUE), "down");
  let end = oneTwoFive(Math.max(hi, start), "up");
  if (end <= start) end = oneTwoFive(start * 1.5, "up");
  const decades = Math.log10(end / start);
  const ticks: number[] = [];
  for (let power = Math.floor(Math.log10(start)); 10 ** power <= end; power++) {
    const mantissas = decades <= 3 ? MANTISSAS : [1];
    for (const m of mantissas) {
      const tick = clean(m * 10 ** power);
      if (tick >= start && tick <= end) ticks.push(tick);
    }
  }
  const [from, to] = range;
  const span = Math.log(end / start);
  return {
    domain: [start, end],
    ticks,
    at: (x) => from + (Math.log(clamp(x, start, end) / start) / span) * (to - from),
  };
}
