import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { mulberry32 } from "../stats/index.js";
import { type LatencyUs, microsecondHistogram, percentilesOf } from "./histogram.js";
import { expects, type RequestSpec, type ScenarioPlan } from "./scenarios.js";

/** The load generator runs in the harness process and shares the machine with the server. */
export interface GeneratorSample {
  cpuSeconds: number;
  /** CPU seconds per wall second: 1.0 is one core fully busy. */
  coreShare: number;
  saturated: boolean;
}

/** What one autocannon run measured from the generator's side. */
export interface LoadFigures {
  durationSeconds: number;
  requests: number;
  rps: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Responses with another status than the request expected, plus errors and timeouts. */
  unexpected: number;
  latencyUs: LatencyUs | null;
  generator: GeneratorSample;
}

/** The harness process's CPU from now on: read() gives its CPU seconds and core share since. */
export function generatorCpu(): { read(): Omit<GeneratorSample, "saturated"> } {
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  return {
    read() {
      const cpu = process.cpuUsage(cpuBefore);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      return { cpuSeconds, coreShare: cpuSeconds / ((performance.now() - wallBefore) / 1000) };
    },
  };
}

/** The generator's CPU per answered request, in µs; null without answers. */
export const generatorCpuUsPerRequest = ({
  generator,
  requests,
}: Pick<LoadFigures, "generator" | "requests">): number | null =>
  requests > 0 ? (generator.cpuSeconds * 1e6) / requests : null;

export interface LoadSettings {
  connections: number;
  /** Requests per second for all connections together (autocannon's overallRate); 0: as fast as they go. */
  rate?: number;
  seconds: number;
  /** Record every response's latency in our own microsecond histogram. */
  record: boolean;
  /** A request unanswered this long counts as a timeout (default 10 s). */
  timeoutSeconds?: number;
  /** Told every response's latency in µs and its status as it arrives (a timeline's bins). */
  onResponse?: (latencyUs: number, status: number) => void;
}

export type LoadOutcome = LoadFigures;

/** A generator above this share of one core is measuring itself, not the server. */
const SATURATED_CORE_SHARE = 0.9;
const REQUEST_TIMEOUT_SECONDS = 10;

const sameStatuses = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((status) => b.includes(status));

type AutocannonRequest = NonNullable<autocannon.Options["requests"]>[number];

const toRequest = ({ method, path, headers, body }: RequestSpec) => ({
  method,
  path,
  headers,
  ...(body === undefined ? {} : { body }),
});

/**
 * One autocannon run of a scenario. Every response is checked against the status its request
 * expects; when all requests expect the same status the per-status counts suffice, otherwise each
 * request checks its own (which makes autocannon read bodies, so only the mixed scenario pays it).
 */
export async function runAutocannon(
  url: string,
  plan: ScenarioPlan,
  settings: LoadSettings,
  signal?: AbortSignal,
): Promise<LoadOutcome> {
  const expected = new Set(plan.requests.flatMap(expects));
  const [first] = plan.requests;
  const uniform =
    !plan.pick &&
    plan.requests.every((request) => sameStatuses(expects(request), expects(first as RequestSpec)));
  let mismatches = 0;
  const random = mulberry32(0x5eed);
  let requests: AutocannonRequest[];
  if (plan.pick) {
    const pick = plan.pick;
    // A connection's context lives as long as its one request in flight: each connection
    // checks its own answer against its own draw.
    type Drawn = { expect?: readonly number[] };
    requests = [
      {
        setupRequest: (request: object, context: Drawn) => {
          const spec = pick(random);
          context.expect = expects(spec);
          return { ...request, ...toRequest(spec) };
        },
        onResponse: (status: number, _body: string, context: Drawn) => {
          if (!context.expect?.includes(status)) mismatches += 1;
        },
      } as AutocannonRequest,
    ];
  } else {
    requests = plan.requests.map(
      (spec) =>
        ({
          ...toRequest(spec),
          ...(uniform
            ? {}
            : {
                onResponse: (status: number) => {
                  if (!expects(spec).includes(status)) mismatches += 1;
                },
              }),
        }) as AutocannonRequest,
    );
  }

  const latencies = settings.record ? microsecondHistogram() : null;
  let responses = 0;
  const cpu = generatorCpu();
  let instance: autocannon.Instance | undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url,
        connections: settings.connections,
        duration: settings.seconds,
        timeout: settings.timeoutSeconds ?? REQUEST_TIMEOUT_SECONDS,
        ...(settings.rate ? { overallRate: settings.rate } : {}),
        requests,
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
  if (!instance) throw new Error("autocannon did not start");
  const running = instance;
  running.on(
    "response",
    (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      responses += 1;
      const us = Math.max(1, Math.round(responseTime * 1000));
      latencies?.recordValue(us);
      settings.onResponse?.(us, status);
    },
  );
  const abort = () => running.stop();
  signal?.addEventListener("abort", abort, { once: true });
  let result: autocannon.Result;
  try {
    result = await finished;
  } finally {
    signal?.removeEventListener("abort", abort);
  }
  const { cpuSeconds, coreShare } = cpu.read();

  const statuses: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {}))
    statuses[code] = count ?? 0;
  const wrongStatus = uniform
    ? Object.entries(statuses).reduce(
        (total, [code, count]) => (expected.has(Number(code)) ? total : total + count),
        0,
      )
    : mismatches;
  const durationSeconds = result.duration;
  const latencyUs = latencies ? percentilesOf(latencies) : null;
  return {
    durationSeconds,
    requests: responses,
    rps: durationSeconds > 0 ? responses / durationSeconds : 0,
    statuses,
    errors: result.errors,
    timeouts: result.timeouts,
    // autocannon counts every timeout among its errors as well.
    unexpected: wrongStatus + result.errors,
    latencyUs,
    generator: { cpuSeconds, coreShare, saturated: coreShare > SATURATED_CORE_SHARE },
  };
}
