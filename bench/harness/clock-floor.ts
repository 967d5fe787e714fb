import { performance } from "node:perf_hooks";

/** What a bare spin on the high-resolution clock lost to the rest of the machine. */
export interface ClockFloor {
  /** Share of the spin's time spent in pauses longer than PAUSE_MS: others had the CPU. */
  pausedShare: number;
  /** The longest pause, in µs. */
  longestPauseUs: number;
}

/** A gap between two readings of the clock longer than this is a pause, not the loop's own work. */
const PAUSE_MS = 0.05;

/**
 * Spins for `ms` reading the clock and adds up the pauses between readings: how often the
 * machine (other processes, a hypervisor) takes the CPU from a process that never yields. Taken
 * right before an open-loop run, it says how much of the generator's schedule lag is the
 * machine's rather than the generator's.
 */
export function clockFloor(ms = 200): ClockFloor {
  const start = performance.now();
  const end = start + ms;
  let last = start;
  let paused = 0;
  let longest = 0;
  for (let now = start; now < end; now = performance.now()) {
    const gap = now - last;
    if (gap > PAUSE_MS) {
      paused += gap;
      longest = Math.max(longest, gap);
    }
    last = now;
  }
  return { pausedShare: paused / (last - start), longestPauseUs: Math.round(longest * 1000) };
}
