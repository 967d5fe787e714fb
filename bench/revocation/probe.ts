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
 * When one instance is probed: from the revocation response (t0) every `intervalMs` until it
 * answers 401 or the deadline passes, then for `windowMs` more; times are performance.now() ms.
 */
export interface ProbeWindow {
  t0: number;
  intervalMs: number;
  deadline: number;
  windowMs: number;
}

/** The status an instance gives the token, asked once. */
export type StatusOf = (token: string) => Promise<number>;

/**
 * Probes one instance at a fixed interval from the revocation response (t0) until it answers 401,
 * then on for `windowMs`, so that a token put back into a cache after its revocation is seen.
 * The lag is taken at the sending of the first probe that got 401: the instance had learnt of the
 * revocation by then, to within one interval. The exposure is taken at the sending of the last
 * probe accepted: it does not depend on how often the probes went, which stale counts do.
 */
export async function probeUntilRevoked(
  status: StatusOf,
  token: string,
  { t0, intervalMs, deadline, windowMs }: ProbeWindow,
): Promise<ProbeOutcome> {
  let staleAccepts = 0;
  let probes = 0;
  let lagMs: number | null = null;
  let exposureMs = 0;
  let resurrections = 0;
  let until = deadline;
  while (performance.now() < until) {
    const sent = performance.now();
    const answer = await status(token);
    probes += 1;
    if (answer === 401) {
      if (lagMs === null) {
        lagMs = Math.max(0, sent - t0);
        until = performance.now() + windowMs;
      }
    } else if (answer >= 200 && answer < 300) {
      // At its sending: the server accepted it no earlier, so a promise broken by this figure
      // is broken for certain, whatever the probe's own round trip.
      exposureMs = Math.max(0, sent - t0);
      if (lagMs === null) staleAccepts += 1;
      else resurrections += 1;
    } else throw unexpected(answer);
    const wait = sent + intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
  }
  return { lagMs, staleAccepts, probes, exposureMs, resurrections };
}

/** What the racing connections of one role saw after the revocation response. */
export interface RaceCount {
  /** Requests sent after the revocation response. */
  requestsAfter: number;
  /** Of those, answered 2xx before the connection's first 401. */
  staleAfter: number;
  /** Revocation response → sending of the last accepted request, ms; 0 if none was. */
  exposureMs: number;
  /** Accepted after the same connection had been answered 401. */
  resurrections: number;
}

export interface RaceOutcome {
  revoking: RaceCount;
  other: RaceCount;
}

const noRace = (): RaceCount => ({
  requestsAfter: 0,
  staleAfter: 0,
  exposureMs: 0,
  resurrections: 0,
});

/**
 * Many connections hammer one token across the instances while it is revoked on the first, and
 * go on for `windowMs` after the revocation response: every request sent after it counts, for
 * the role of the instance it went to, so a read racing the revocation that puts the token back
 * into a cache is seen as a later accept.
 */
export async function race(
  baseUrls: readonly string[],
  token: string,
  connections: number,
  revoke: () => Promise<void>,
  windowMs: number,
): Promise<RaceOutcome> {
  let t0 = Number.POSITIVE_INFINITY;
  let deadline = Number.POSITIVE_INFINITY;
  const counts: RaceOutcome = { revoking: noRace(), other: noRace() };
  const loop = async (instance: number) => {
    const count = instance === 0 ? counts.revoking : counts.other;
    const baseUrl = baseUrls[instance] as string;
    let refused = false;
    while (performance.now() < deadline) {
      const sent = performance.now();
      const status = await itemsStatus(baseUrl, token);
      if (sent <= t0) continue;
      count.requestsAfter += 1;
      if (status === 401) refused = true;
      else if (status >= 200 && status < 300) {
        count.exposureMs = Math.max(count.exposureMs, sent - t0);
        if (refused) count.resurrections += 1;
        else count.staleAfter += 1;
      } else throw unexpected(status);
    }
  };
  const loops = Array.from({ length: connections }, (_, i) => loop(i % baseUrls.length));
  await sleep(100);
  await revoke();
  t0 = performance.now();
  deadline = t0 + windowMs;
  await Promise.all(loops);
  return counts;
}
