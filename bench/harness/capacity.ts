import { type OpenLoopFigures, type OpenLoopSettings, runOpenLoop } from "./open-loop.js";
import type { ScenarioPlan } from "./scenarios.js";

export interface CapacitySettings extends Omit<OpenLoopSettings, "rate" | "maxInFlight"> {
  /** The SLO: p99 response time at most this, with nothing dropped. */
  sloP99Ms: number;
  /** The first rate tried, e.g. the closed loop's throughput; the search grows or halves from it. */
  startRate: number;
  /** Stop once the bracket's width is at most this share of its top (0.05: within 5%). */
  precision: number;
  /** Steps at most, so that a server whose figures jump from step to step cannot run forever. */
  maxSteps: number;
  /** Below this rate the search gives up: the mode holds no rate within the SLO. */
  minRate: number;
}

/** One short open-loop run of the search, and whether it held the SLO. */
export interface CapacityStep {
  rate: number;
  passed: boolean;
  figures: OpenLoopFigures;
}

export interface CapacitySearch {
  /** The highest rate that held the SLO; 0 when none did. */
  capacity: number;
  /** The lowest rate that broke it; null when none did within the steps. */
  brokenAt: number | null;
  steps: CapacityStep[];
  /** Why the search stopped without an answer to trust (an unexpected status); null otherwise. */
  invalid: string | null;
}

/** About one second of traffic may wait in the generator before requests are dropped. */
export const backlogFor = (rate: number): number => Math.max(1, Math.ceil(rate));

const heldSlo = (figures: OpenLoopFigures, sloP99Ms: number): boolean =>
  !figures.saturated &&
  figures.dropped === 0 &&
  figures.latencyUs !== null &&
  figures.latencyUs.p99 <= sloP99Ms * 1000;

/**
 * The highest offered rate whose p99 response time holds the SLO with nothing dropped, to within
 * `precision`: a step up (doubling) or down (halving) from `startRate` until the SLO is both held
 * and broken, then a bisection of that bracket. Each step is a short open-loop run of its own.
 */
export async function findCapacity(
  url: string,
  plan: ScenarioPlan,
  settings: CapacitySettings,
  signal?: AbortSignal,
  onStep?: (step: CapacityStep) => void,
): Promise<CapacitySearch> {
  const steps: CapacityStep[] = [];
  let held = 0;
  let broken: number | null = null;
  let rate = Math.max(settings.minRate, Math.round(settings.startRate));
  while (steps.length < settings.maxSteps && !signal?.aborted) {
    const figures = await runOpenLoop(
      url,
      plan,
      { ...settings, rate, maxInFlight: backlogFor(rate) },
      signal,
    );
    const passed = heldSlo(figures, settings.sloP99Ms);
    const step = { rate, passed, figures };
    steps.push(step);
    onStep?.(step);
    if (figures.unexpected > 0) {
      return {
        capacity: held,
        brokenAt: broken,
        steps,
        invalid: `at ${rate} req/s: ${figures.unexpected} unexpected answers ${JSON.stringify(figures.statuses)}`,
      };
    }
    if (passed) held = Math.max(held, rate);
    else broken = broken === null ? rate : Math.min(broken, rate);
    if (broken === null) rate = held * 2;
    else if (held === 0) {
      if (broken / 2 < settings.minRate) break;
      rate = Math.round(broken / 2);
    } else {
      if ((broken - held) / broken <= settings.precision) break;
      rate = Math.round((held + broken) / 2);
    }
  }
  return { capacity: held, brokenAt: broken, steps, invalid: null };
}
