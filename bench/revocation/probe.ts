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
}

/**
 * Probes one instance at a fixed interval from the revocation response (t0) until it answers 401.
 * The lag is taken at the sending of the first probe that got 401: the instance had learnt of the
 * revocation by then, to within one interval.
 */
export async function probeUntilRevoked(
  baseUrl: string,
  token: string,
  t0: number,
  intervalMs: number,
  deadline: number,
): Promise<ProbeOutcome> {
  let staleAccepts = 0;
  let probes = 0;
  while (performance.now() < deadline) {
    const sent = performance.now();
    const status = await itemsStatus(baseUrl, token);
    probes += 1;
    if (status === 401) return { lagMs: Math.max(0, sent - t0), staleAccepts, probes };
    if (status < 200 || status >= 300) throw unexpected(status);
    staleAccepts += 1;
    const wait = sent + intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
  return { lagMs: null, staleAccepts, probes };
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
