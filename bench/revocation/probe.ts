import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { probeUnexpected } from "../../lib/errors.js";

/** Status of GET /items/ with the token; the body is drained so the connection is reused. */
export async function itemsStatus(baseUrl: string, token: string): Promise<number> {
  const response = await fetch(`${baseUrl}/items/`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await response.arrayBuffer();
  return response.status;
}

const unexpected = (status: number) =>
  probeUnexpected(`a probe got HTTP ${status}, neither 2xx nor 401`);

export interface ProbeOutcome {
  lagMs: number | null;
  staleAccepts: number;
  probes: number;
  /** Revocation response → the sending of the last probe still accepted; 0 if none was. */
  exposureMs: number;
  /** Probes accepted again after one was answered 401: a token back from the dead. */
  resurrections: number;
}

/**
 * Probes one instance at a fixed interval from the revocation response (t0) until it answers 401,
 * then on for `windowMs`, so that a token put back into a cache after its revocation is seen.
 * The lag is taken at the sending of the first probe that got 401: the instance had learnt of the
 * revocation by then, to within one interval. The exposure is taken at the sending of the last
 * probe accepted: it does not depend on how often the probes went, which stale counts do.
 */
export async function probeUntilRevoked(
  baseUrl: string,
  token: string,
  t0: number,
  intervalMs: number,
  deadline: number,
  windowMs: number,
): Promise<ProbeOutcome> {
  let staleAccepts = 0;
  let probes = 0;
  let lagMs: number | null = null;
  let exposureMs = 0;
  let resurrections = 0;
  let until = deadline;
  while (performance.now() < until) {
    const sent = performance.now();
    const status = await itemsStatus(baseUrl, token);
    probes += 1;
    if (status === 401) {
      if (lagMs === null) {
        lagMs = Math.max(0, sent - t0);
        until = performance.now() + windowMs;
      }
    } else if (status >= 200 && status < 300) {
      // At its sending: the server accepted it no earlier, so a promise broken by this figure
      // is broken for certain, whatever the probe's own round trip.
      exposureMs = Math.max(0, sent - t0);
      if (lagMs === null) staleAccepts += 1;
      else resurrections += 1;
    } else throw unexpected(status);
    const wait = sent + intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
  return { lagMs, staleAccepts, probes, exposureMs, resurrections };
}

export interface RaceOutcome {
  requestsAfter: number;
  staleAfter: number;
}

/**
 * Many connections hammer one token across the instances while it is revoked. Counts the 2xx
 * answers to requests that were sent after the revocation response. Each connection stops at its
 * first 401 after the revocation, or at the deadline.
 */
export async function race(
  baseUrls: readonly string[],
  token: string,
  connections: number,
  revoke: () => Promise<void>,
  boundMs: number,
): Promise<RaceOutcome> {
  let t0 = Number.POSITIVE_INFINITY;
  let deadline = Number.POSITIVE_INFINITY;
  let requestsAfter = 0;
  let staleAfter = 0;
  const loop = async (baseUrl: string) => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const status = await itemsStatus(baseUrl, token);
      if (sent <= t0) continue;
      requestsAfter += 1;
      if (status === 401) return;
      if (status < 200 || status >= 300) throw unexpected(status);
      staleAfter += 1;
    }
  };
  const loops = Array.from({ length: connections }, (_, i) =>
    loop(baseUrls[i % baseUrls.length] as string),
  );
  await sleep(100);
  await revoke();
  t0 = performance.now();
  deadline = t0 + boundMs;
  await Promise.all(loops);
  return { requestsAfter, staleAfter };
}
