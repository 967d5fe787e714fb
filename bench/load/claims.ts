import { isJwtMode } from "../../server/modes.js";
import { fmtBytes, fmtComparison, fmtDetectable, fmtNum, fmtP } from "../report/format.js";
import { type Comparison, holm, smallestP } from "../stats/index.js";
import { compareArms, IN_PROCESS, type RunFigure, serverCpuOf, systemCpuOf } from "./derive.js";
import {
  baselineOf,
  type LoadMode,
  type LoadResults,
  type Loop,
  loopOf,
  NO_CACHE,
} from "./schema.js";

export type ClaimVerdict =
  | "holds"
  | "does not hold"
  | "not significant"
  | "too noisy to conclude"
  | "not measured in this report";

export interface ModeVerdict {
  mode: LoadMode;
  verdict: ClaimVerdict;
  /** The figures behind the verdict, one per line, or what to run to measure it. */
  evidence: string[];
}

export interface ClaimResult {
  id: number;
  /** The article makes claims 1–5; its readers objected with 6 and 7. */
  by: "article" | "reader";
  claim: string;
  /** A few words, for the terminal. */
  short: string;
  /** The figure that tests it. */
  figure: string;
  /** One per cache mode (claim 7: per JWT mode), in the order the modes ran. */
  verdicts: ModeVerdict[];
}

const ALPHA = 0.05;

export const CLAIMS_RULE =
  "Each cache mode (for claim 7, each JWT mode) is tested against `none`, which asks the store on every request" +
  " (each target against the reference target), over the" +
  " rounds where both ran. A claim **holds** when at least one of its figures moves" +
  " significantly (Mann-Whitney p < 0.05 and a 95% CI excluding 1) the way the claim says and" +
  " none moves significantly against it; it **does not hold** when one moves against it; and it" +
  " is **not significant** when none moves. A claim tested on several figures is a family of" +
  " tests: each figure's p is adjusted by Holm's step-down over them before it counts. Each" +
  " figure says what change its runs could detect (four times in five): _not significant_ means" +
  " no change larger than that. A figure is **too noisy to conclude** when its per-round ratios" +
  " spread more than ±10% and its change is not twice that spread, or when processes outside the" +
  " benchmark used more than a quarter of a core during one of its runs: it then counts neither" +
  " way.";

export const NO_CLAIMS =
  "No cache mode ran, so no claim can be tested: run with --modes none,memory,redis.";

type Direction = "higher" | "lower";

interface FigureTest {
  name: string;
  /** How the cache mode's figure compares with none's if the claim is true. */
  claimed: Direction;
  comparison: Comparison | null;
}

function verdictOf({ claimed, comparison }: FigureTest, holmP: number): ClaimVerdict {
  if (comparison === null) return "not measured in this report";
  if (comparison.withheld) return "too noisy to conclude";
  if (!comparison.significant || holmP >= ALPHA) return "not significant";
  return comparison.verdict === claimed ? "holds" : "does not hold";
}

const notMeasured = (mode: LoadMode, why: string): ModeVerdict => ({
  mode,
  verdict: "not measured in this report",
  evidence: [why],
});

/**
 * A claim tested on several figures is a family of tests: each figure's p is adjusted by Holm's
 * step-down over the claim's measured figures before it may count.
 */
function combine(mode: LoadMode, baseline: LoadMode, tests: readonly FigureTest[]): ModeVerdict {
  const measured = tests.flatMap(({ comparison, ...test }) =>
    comparison ? [{ ...test, comparison }] : [],
  );
  if (measured.length === 0) {
    const names = tests.map((test) => test.name).join(" and ");
    return notMeasured(
      mode,
      `no rounds where both ${mode} and ${baseline} have valid runs with ${names}`,
    );
  }
  const adjusted = holm(measured.map(({ comparison }) => comparison.p));
  const verdicts = measured.map((test, i) => verdictOf(test, adjusted[i] ?? 1));
  // A withheld figure counts neither way; while one is withheld, "not significant" is not known.
  const verdict: ClaimVerdict = verdicts.includes("does not hold")
    ? "does not hold"
    : verdicts.includes("holds")
      ? "holds"
      : verdicts.includes("too noisy to conclude")
        ? "too noisy to conclude"
        : "not significant";
  return {
    mode,
    verdict,
    evidence: measured.map(({ name, comparison }, i) => {
      const k = measured.length;
      const holmP = k > 1 ? `, ${fmtP(adjusted[i] ?? 1)} over ${k} (Holm)` : "";
      // Over k figures the smallest p these rounds allow is k times the test's own.
      const reachable = smallestP(comparison.n, comparison.n) * k < ALPHA;
      const detects = fmtDetectable(reachable ? comparison.detectable : null);
      const noisy = comparison.withheld ? `; too noisy: ${comparison.withheld}` : "";
      return `${name} ${fmtComparison(comparison)} (p=${fmtP(comparison.p)}${holmP}; detects ${detects})${noisy}`;
    }),
  };
}

type Test = (results: LoadResults, mode: LoadMode) => FigureTest;

const throughput: Test = (results, mode) => ({
  name: "throughput",
  claimed: "higher",
  comparison: results.summaries.find((s) => s.mode === mode)?.vsBaseline ?? null,
});
const ofRuns =
  (name: string, claimed: Direction, figure: RunFigure): Test =>
  (results, mode) => ({
    name,
    claimed,
    // A figure that is zero for `none` has no ratio to test: compareArms gives null.
    comparison: compareArms(results.runs, mode, baselineOf(results.options), figure),
  });
const p50 = ofRuns("p50 response time", "lower", (run) => run.latencyUs?.p50);
const p99 = ofRuns("p99 response time", "lower", (run) => run.latencyUs?.p99);
const capacity = ofRuns("capacity at SLO", "higher", (run) => run.capacity?.capacity);
const cpu = ofRuns("server CPU/req", "lower", serverCpuOf);
const lookups = ofRuns("store lookups/req", "lower", (run) => run.server?.storeLookupsPerRequest);
const rss = ofRuns("RSS", "lower", (run) => run.rss?.medianBytes ?? run.server?.rssBytes);
const systemCpu = ofRuns("whole-system CPU/req", "lower", systemCpuOf);
/**
 * Resources are counted for the whole system on the request path: the server with its local
 * services. Where a run's services could not be read (remote, a container, a file from before
 * they were counted), the server's own CPU stands in, and says so.
 */
const resourceCpu: Test = (results, mode) => {
  const whole = systemCpu(results, mode);
  if (whole.comparison) return whole;
  const server = cpu(results, mode);
  return { ...server, name: `${server.name} (whole-system CPU not measured)` };
};

/** A line printed beside a verdict without deciding it; null when there is nothing to print. */
type Beside = (results: LoadResults, mode: LoadMode) => string | null;

const notJudged =
  (test: Test, why: string): Beside =>
  (results, mode) => {
    const { name, comparison } = test(results, mode);
    return comparison ? `${name} ${fmtComparison(comparison)} (shown, not judged: ${why})` : null;
  };

/** What the cache itself holds: the price of the gain, which `none` never pays. */
const cacheHeld: Beside = (results, mode) => {
  const summary = results.summaries.find((s) => s.mode === mode);
  const entries = summary?.cacheEntries?.median;
  if (entries === undefined) return null;
  const count = `${fmtNum(Math.round(entries))} entries`;
  const bytes = summary?.cacheBytes?.median;
  const weights = results.entryWeights;
  const slots =
    weights && IN_PROCESS.has(mode)
      ? `, ${fmtBytes(results.options.cacheMax * weights.bytesPerSlot)} of it the LRU's ${fmtNum(results.options.cacheMax)} slots, allocated full or empty`
      : "";
  const held =
    bytes === undefined
      ? `${count} (their bytes: run \`npm run bench:micro\` to weigh an entry)`
      : `${fmtBytes(bytes)} (${count}${slots}${weights ? `; weighed in ${weights.folder}` : ""})`;
  return `the cache holds ${held} at the end of a run (shown, not judged: ${baselineOf(results.options)} holds nothing by construction)`;
};

interface ClaimSpec extends Omit<ClaimResult, "verdicts"> {
  /** The figures that test it, or, when this kind of results cannot, what to run instead. */
  tests: readonly Test[] | { toMeasure: string };
  /** What the verdict leaves to another kind of run, added to every mode's evidence. */
  elsewhere?: string;
  /** Figures printed beside the verdict without deciding it. */
  beside?: readonly Beside[];
}

const RATE_RUN = "`npm run bench -- --rate N` (N: your traffic, req/s)";
const CAPACITY_RUN = "`npm run bench -- --capacity`";

/**
 * Claim (1) in each way of measuring. A closed loop's latency is latency at saturation, which
 * mirrors its throughput (Little's law): its latency part is judged at a common offered rate.
 */
const BOOST: Record<Loop, Pick<ClaimSpec, "figure" | "tests" | "elsewhere">> = {
  closed: {
    figure: "throughput ratio to none (closed loop)",
    tests: [throughput],
    elsewhere:
      `latency: a closed loop's is latency at saturation; judged at a common offered rate by` +
      ` ${RATE_RUN}, and on capacity at SLO by ${CAPACITY_RUN}`,
  },
  open: {
    figure: "response time (p50, p99) ratio to none at the same offered rate",
    tests: [p50, p99],
    elsewhere: `capacity at SLO: judged by ${CAPACITY_RUN}`,
  },
  capacity: {
    figure: "capacity at SLO, ratio to none",
    tests: [capacity],
    elsewhere: `response time at a common offered rate: judged by ${RATE_RUN}`,
  },
};

const CONCURRENCY: Record<Loop, ClaimSpec["tests"]> = {
  closed: { toMeasure: `judged on capacity at SLO: run ${CAPACITY_RUN}` },
  open: { toMeasure: `judged on capacity at SLO: run ${CAPACITY_RUN}` },
  capacity: [capacity],
};

const claimSpecs = (loop: Loop): readonly ClaimSpec[] => [
  {
    id: 1,
    by: "article",
    claim: "Caching the bearer token gives a significant performance boost",
    short: "performance boost",
    ...BOOST[loop],
  },
  {
    id: 2,
    by: "article",
    claim: "It reduces server load",
    short: "less server load",
    figure: "server CPU per request, ratio to none",
    tests: [cpu],
  },
  {
    id: 3,
    by: "article",
    claim: "Requests bypass the expensive authentication process",
    short: "bypasses the store",
    figure: "store lookups per request, ratio to none",
    tests: [lookups],
  },
  {
    id: 4,
    by: "article",
    claim: "The server can handle more concurrent requests",
    short: "more concurrency",
    figure: "capacity at SLO (p99 within the SLO, nothing dropped), ratio to none",
    tests: CONCURRENCY[loop],
  },
  {
    id: 5,
    by: "article",
    claim: "It consumes fewer resources",
    short: "fewer resources",
    figure:
      "whole-system CPU per request (server, redis-server, PostgreSQL backends), ratio to none; what the cache holds beside it",
    tests: [resourceCpu],
    // A process's resident memory moves by megabytes for reasons other than its cache (heap
    // growth, GC timing); what a cache itself holds is counted entry by entry.
    beside: [cacheHeld, notJudged(rss, "the process's footprint, not what the cache holds")],
  },
  {
    id: 6,
    by: "reader",
    claim: "A cached token cannot be revoked or invalidated on password change",
    short: "cannot be revoked (reader)",
    figure: "revocation lag and stale accepts",
    tests: {
      toMeasure:
        "needs the revocation lag and stale accepts of each mode, which a load run does not" +
        " measure: run `npm run bench:revocation`",
    },
  },
];

const withoutBaseline = (mode: LoadMode, baseline: LoadMode, targets: boolean) =>
  notMeasured(
    mode,
    `needs valid runs of ${baseline} to compare with: ${targets ? "benchmark it beside " : `run with --modes ${baseline},`}${mode}`,
  );

/**
 * The article's claims, each with a verdict per cache mode computed from the results, and the
 * readers' JWT claim with a verdict per JWT mode.
 */
export function claims(results: LoadResults): ClaimResult[] {
  const baseline = baselineOf(results.options);
  const targets = results.options.targets.length > 0;
  // A target is judged as a cache would be: the user's cached build against its uncached one.
  const subjects = results.summaries
    .map((s) => s.mode)
    .filter((mode) => (targets ? mode !== baseline : !NO_CACHE.has(mode)));
  const cached = subjects.filter((mode) => !isJwtMode(mode));
  const jwts = subjects.filter(isJwtMode);
  const hasBaseline = results.summaries.some((s) => s.mode === baseline && s.validRuns > 0);
  const articles = claimSpecs(loopOf(results.options)).map(
    ({ tests, elsewhere, beside, ...claim }) => ({
      ...claim,
      verdicts: cached.map((mode) => {
        if ("toMeasure" in tests) return notMeasured(mode, tests.toMeasure);
        if (!hasBaseline) return withoutBaseline(mode, baseline, targets);
        const verdict = combine(
          mode,
          baseline,
          tests.map((test) => test(results, mode)),
        );
        const shown = (beside ?? []).flatMap((line) => line(results, mode) ?? []);
        const evidence = [...verdict.evidence, ...shown, ...(elsewhere ? [elsewhere] : [])];
        return { ...verdict, evidence };
      }),
    }),
  );
  const jwtClaim = {
    ...JWT_CLAIM,
    verdicts: jwts.map((mode) =>
      hasBaseline ? jwtVerdict(results, mode) : withoutBaseline(mode, baseline, targets),
    ),
  };
  return [...(cached.length > 0 ? articles : []), ...(jwts.length > 0 ? [jwtClaim] : [])];
}

const JWT_CLAIM: Omit<ClaimResult, "verdicts"> = {
  id: 7,
  by: "reader",
  claim: "A JWT avoids the lookup but cannot be revoked before it expires",
  short: "JWT: no lookup, no revocation",
  figure:
    "store lookups per request, ratio to none; whether a revoked token was refused before it expired, from the newest revocation report of the same store",
};

/**
 * Both halves must hold: the load run judges the lookup as claims 1–5 judge theirs; the newest
 * revocation report of the same store says whether any instance refused a revoked token before
 * it expired. The revoking JWT modes are there to show the other side: they look something up,
 * and revoke.
 */
function jwtVerdict(results: LoadResults, mode: LoadMode): ModeVerdict {
  const lookup = combine(mode, baselineOf(results.options), [lookups(results, mode)]);
  const revocation = revocationHalf(results, mode);
  const halves = [lookup.verdict, revocation.verdict];
  const verdict: ClaimVerdict = halves.includes("does not hold")
    ? "does not hold"
    : halves.every((v) => v === "holds")
      ? "holds"
      : (halves.find((v) => v !== "holds") ?? "not significant");
  const shown = [throughput, cpu].flatMap(
    (test) => notJudged(test, "the claim is about the lookup")(results, mode) ?? [],
  );
  return { mode, verdict, evidence: [...lookup.evidence, revocation.evidence, ...shown] };
}

function revocationHalf(
  results: LoadResults,
  mode: LoadMode,
): { verdict: ClaimVerdict; evidence: string } {
  const measured = results.revocation?.modes[mode];
  const early = measured?.revokedBeforeExpiry;
  if (!results.revocation || early === undefined || early === null) {
    return {
      verdict: "not measured in this report",
      evidence: `revocation: no revocation report of the ${results.options.store} store measured ${mode}: run \`npm run bench:revocation -- --modes ${mode}\` before this benchmark`,
    };
  }
  const { folder, tokenTtl } = results.revocation;
  const exposure = measured?.exposureMs;
  const accepted =
    exposure === null || exposure === undefined
      ? ""
      : `; a revoked token was accepted up to ${fmtNum(Math.round(exposure))} ms after its revocation`;
  return early
    ? {
        verdict: "does not hold",
        evidence: `revocation: refused before it expired, by the revoking instance at least (${folder}, tokens of ${tokenTtl} s${accepted})`,
      }
    : {
        verdict: "holds",
        evidence: `revocation: accepted until it expired on every instance (${folder}, tokens of ${tokenTtl} s${accepted})`,
      };
}

/**
 * The claims in tables of one set of modes each: the article's over the cache modes, the JWT claim
 * over the JWT modes.
 */
export function claimTables(found: readonly ClaimResult[]): ClaimResult[][] {
  const modesOf = (claim: ClaimResult) => claim.verdicts.map((v) => v.mode).join();
  const tables: ClaimResult[][] = [];
  for (const claim of found) {
    const last = tables.at(-1);
    const first = last?.[0];
    if (last && first && modesOf(first) === modesOf(claim)) last.push(claim);
    else tables.push([claim]);
  }
  return tables;
}

/** One short line per claim, for the terminal: the verdicts without their evidence. */
export function claimLines(found: readonly ClaimResult[]): string[] {
  return found.map(({ id, short, verdicts }) => {
    const unmeasured = verdicts.every((v) => v.verdict === "not measured in this report");
    const first = verdicts[0];
    const why = first?.evidence.join("; ") ?? "";
    const said =
      unmeasured && verdicts.every((v) => v.evidence.join("; ") === why)
        ? `not measured in this report: ${why.replaceAll("`", "")}`
        : verdicts.map((v) => `${v.mode} ${v.verdict}`).join(", ");
    return `(${id}) ${short}: ${said}`;
  });
}
