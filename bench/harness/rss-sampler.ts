import { readFileSync } from "node:fs";
import { median } from "../stats/index.js";

/** A process's resident memory over a window, sampled: a single reading at the end misses peaks. */
export interface RssSample {
  peakBytes: number;
  medianBytes: number;
  samples: number;
}

const EVERY_MS = 200;

function residentBytes(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * Samples the resident memory of a local process every 200 ms until stopped; stop() gives null
 * where it cannot be read (not Linux, or a remote target).
 */
export function sampleRss(pid: number | undefined): { stop(): RssSample | null } {
  const readings: number[] = [];
  const take = () => {
    const bytes = pid === undefined ? null : residentBytes(pid);
    if (bytes !== null) readings.push(bytes);
  };
  take();
  const timer = setInterval(take, EVERY_MS);
  return {
    stop() {
      clearInterval(timer);
      take();
      if (readings.length === 0) return null;
      return {
        peakBytes: Math.max(...readings),
        medianBytes: median(readings),
        samples: readings.length,
      };
    },
  };
}
