import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { probeUnexpected } from "../../lib/errors.js";
import { type ApiDescription, buildRequest } from "../harness/api-description.js";

/** Status of the API's protected request with the token; the body is drained so the connection is reused. */
export async function checkedStatus(
  baseUrl: string,
  token: string,
  api: ApiDescription,
): Promise<number> {
  const { path, ...request } = buildRequest(api, api.protected, { token });
  const response = await fetch(`${baseUrl}${path}`, request);
  await response.arrayBuffer();
  return response.status;
}

/** What a probe's status says: the token was refused, or accepted; anything else stops the run. */
export type Answer = "refused" | "accepted";

export function answerOf(status: number, api: ApiDescription): Answer {
  if (api.protected.refused.includes(status)) return "refused";
  if (status >= 200 && status < 300) return "accepted";
  throw probeUnexpected(
    `a probe got HTTP ${status}, neither 2xx nor ${api.protected.refused.join(" or ")}`,
  );
}

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

/** What an instance answers the token, asked once. */
export type AnswerOf = (token: string) => Promise<Answer>;

/**
 * Probes one instance at a fixed interval from the revocation response (t0) until it refuses,
 * then on for `windowMs`, so that a token put back into a cache after its revocation is seen.
 * The lag is taken at the sending of the first probe that got 401: the instance had learnt of the
 * revocation by then, to within one interval. The exposure is taken at the sending of the last
 * probe accepted: it does not depend on how often the probes went, which stale counts do.
 */
export async function probeUntilRevoked(
  answerTo: AnswerOf,
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
    const answer = await answerTo(token);
    probes += 1;
    if (answer === "refused") {
      if (lagMs === null) {
        lagMs = Math.max(0, sent - t0);
        until = performance.now() + windowMs;
      }
    } else {
      // At its sending: the server accepted it no earlier, so a promise broken by this figure
      // is broken for certain, whatever the probe's own round trip.
      exposureMs = Math.max(0, sent - t0);
      if (lagMs === null) staleAccepts += 1;
      else resurrections += 1;
    }
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
  api: ApiDescription,
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
      const answer = answerOf(await checkedStatus(baseUrl, token, api), api);
      if (sent <= t0) continue;
      count.requestsAfter += 1;
      if (answer === "refused") refused = true;
      else {
        count.exposureMs = Math.max(count.exposureMs, sent - t0);
        if (refused) count.resurrections += 1;
        else count.staleAfter += 1;
      }
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
