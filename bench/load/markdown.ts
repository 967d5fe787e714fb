import { fmtNum } from "../report/format.js";
import {
  bullets,
  listWords,
  mdTable,
  optionRows,
  plural,
  provenanceRows,
} from "../report/markdown.js";
import { CLAIMS_RULE, type ClaimResult, claims, claimTables, NO_CLAIMS } from "./claims.js";
import { summaryRows, VARIANT_LABELS, verdictFigure, verdictLines, warningLines } from "./rows.js";
import {
  benchmarked,
  FLOOD_VARIANTS,
  type LoadOptions,
  type LoadResults,
  loopOf,
} from "./schema.js";

/** How the runs loaded the server, in a few words. */
export function loadWords(options: LoadOptions): string {
  switch (loopOf(options)) {
    case "open":
      return (
        `an open loop at ${options.rate} req/s offered (${options.arrivals} arrivals, up to` +
        ` ${options.connections} connections) for ${options.duration} s after a ${options.warmup} s warm-up at that rate`
      );
    case "capacity":
      return (
        `a search for the capacity at p99 ≤ ${options.sloP99Ms} ms in open-loop steps of` +
        ` ${options.duration} s (up to ${options.connections} connections), after a closed-loop` +
        ` run of ${Math.max(1, options.warmup)} s that warmed the server and gave the first rate`
      );
    case "closed":
      return (
        `${options.connections} connections in a closed loop for ${options.duration} s after a` +
        ` ${options.warmup} s warm-up`
      );
  }
}

/** What ran, in one paragraph; `code` and **bold** are Markdown, which the HTML page also reads. */
export function summaryParagraph({ options, runs, skipped, status }: LoadResults): string {
  const ran = options.modes.filter((mode) => !skipped.some((s) => s.mode === mode));
  const against =
    options.targets.length > 0
      ? `${benchmarked(options)}, which the benchmark did not start`
      : `the reference server on ${options.store === "sqlite" ? "SQLite" : "PostgreSQL"}`;
  const valid = runs.filter((run) => run.status === "ok").length;
  const sentences = [
    `Modes ${listWords(ran.map((mode) => `\`${mode}\``))} each ran ${plural(options.runs, "round")}` +
      ` of the \`${options.scenario}\` scenario against ${against}, interleaved round by round:` +
      ` ${loadWords(options)} per run${options.quick ? " (quick mode)" : ""}.`,
    `The server had ${options.users} users, ${options.originLatencyMs} ms of added origin latency` +
      ` and a cache TTL of ${options.cacheTtl} s with at most ${options.cacheMax} entries.`,
    `${valid} of ${plural(runs.length, "run")} were valid.`,
  ];
  if (skipped.length > 0) {
    sentences.push(`Skipped: ${listWords(skipped.map((s) => `\`${s.mode}\``))}.`);
  }
  if (status !== "complete") sentences.push(`The run is **${status}**: results are partial.`);
  return sentences.join(" ");
}

/** login-flood: what each arm's servers said of their login settings, from their ready lines. */
function loginLines({ options, runs }: LoadResults): string[] {
  if (options.scenario !== "login-flood") return [];
  const flood =
    `The flood: ${options.floodConnections} connections sending wrong-password logins for one` +
    ` account ${options.floodRate > 0 ? `at ${options.floodRate} per second` : "as fast as they are answered"},` +
    " from before the warm-up to the end of the measured window; 401, 429 and 503 are the answers it may get.";
  const settings = FLOOD_VARIANTS.flatMap((variant) => {
    const stated = new Set(
      runs.flatMap((run) =>
        run.variant === variant && run.settings
          ? [
              `${run.settings.loginLimits}; ${run.settings.hashConcurrency} password hashes at` +
                ` once, ${run.settings.hashQueue} queued`,
            ]
          : [],
      ),
    );
    return [...stated].map(
      (text) => `Servers of the ${VARIANT_LABELS[variant]} arm: logins ${text}.`,
    );
  });
  return [flood, ...settings];
}

/** A known CPU cost injected on purpose must never pass for the server's own. */
function injectedLines({ runs }: LoadResults): string[] {
  const injected = new Set(
    runs.flatMap((run) => (run.settings?.injectCpuUs ? [run.settings.injectCpuUs] : [])),
  );
  return [...injected].map(
    (us) =>
      `Servers spent an injected ${us} µs of CPU on every authenticated request` +
      " (--inject-cpu-us): a known cost, for calibration, in every figure above.",
  );
}

/** What the cache modes' servers did on a miss and to their TTLs, from their ready lines. */
function missLines({ runs }: LoadResults): string[] {
  const seen = new Set(
    runs.flatMap((run) =>
      run.settings && run.mode !== "none" && run.mode !== "ceiling"
        ? [
            `Cache modes: single-flight ${run.settings.coalesce} (concurrent misses for one token ${run.settings.coalesce === "on" ? "share" : "each send"} a store lookup), TTL jitter ${run.settings.cacheTtlJitter} (each entry's TTL shortened at random by up to that fraction).`,
          ]
        : [],
    ),
  );
  return [...seen];
}

/** How each JWT mode's servers signed, revoked and cached verifications, from their ready lines. */
function jwtLines({ runs }: LoadResults): string[] {
  const seen = new Map<string, string>();
  for (const { mode, settings } of runs) {
    const jwt = settings?.jwt;
    if (!jwt || seen.has(mode)) continue;
    const cache = jwt.verifyCacheSeconds > 0 ? `${jwt.verifyCacheSeconds} s` : "off";
    seen.set(
      mode,
      `${mode}: ${jwt.alg}, revocation ${jwt.revocation}, fast-jwt's verification cache ${cache}, key from a ${jwt.key === "file" ? "file shared by the run's servers" : "generated key"}.`,
    );
  }
  return seen.size > 0 ? [`JWT modes — ${[...seen.values()].join(" ")}`] : [];
}

/** A modelled distance is stated with what the servers measured of it: timers fire late. */
function distanceLines({ options, summaries }: LoadResults): string[] {
  if (options.originLatencyMs <= 0) return [];
  const added = summaries.flatMap((s) => s.addedDelayMs?.median ?? []);
  const measured =
    added.length > 0
      ? `; the servers measured ${added.map((ms) => fmtNum(ms)).join(", ")} ms added per read (by mode, median over runs)`
      : "";
  return [
    `Every store read was delayed by --origin-latency-ms ${options.originLatencyMs} (a round trip: half before the read, half after)${measured}.`,
  ];
}

export function methodLines(results: LoadResults): string[] {
  const { options } = results;
  return [
    "Each run is a fresh server process, so no run inherits another's caches, heap or JIT state.",
    `The first ${options.warmup} s of load on each process are a warm-up and are discarded.`,
    "Runs are interleaved: every round runs each mode once, so slow drift of the machine" +
      " (heat, background work, noisy neighbours) hits all modes alike instead of one; " +
      (options.orderSeed === null
        ? "each round starts one mode later (A B C, B C A, C A B …), so no mode always runs first or last."
        : `each round runs them in a random order (seed ${options.orderSeed}), balanced so that` +
          " every mode takes every position once in each block of as many rounds as modes, and no" +
          " mode always follows the same one."),
    "Every figure is the median over a mode's valid runs, with a distribution-free 95% CI from" +
      " order statistics. With fewer than 6 runs that interval is min–max, which covers less" +
      " than 95%.",
    "Ratios (× ceiling, × none or the reference target) are medians of per-round ratios, which cancels drift shared by" +
      " a round; when rounds cannot be paired, the ratio of medians with a bootstrap CI.",
    "A difference is significant when a two-sided Mann-Whitney U test over the runs gives" +
      " p < 0.05 and the ratio's 95% CI excludes 1; both must agree. A claim judged on several" +
      " figures adjusts their p-values by Holm's step-down, so that more figures do not make a" +
      " false verdict likelier.",
    "Beside a ratio, _detects ±x%_ is the smallest change these runs would have shown as" +
      " significant four times in five, from the spread of the per-round ratios and the number of" +
      " rounds: _no significant difference_ means no change larger than that.",
    "Latency percentiles are in µs from the harness's own HDR histogram, not autocannon's" +
      " whole-millisecond ones.",
    "Server CPU per request, RSS, event-loop delay, hit ratio and store lookups come from the" +
      " server's /metrics, scraped right before and right after the measured window.",
    "The load generator shares the machine with the server. Its CPU share (1.0 is one core) is" +
      " shown, and a run where it saturates its core is flagged: there, throughput may measure" +
      " the generator rather than the server.",
    ...openLoopLines(results),
    ...pinningLines(results),
    ...loginLines(results),
    ...distanceLines(results),
    ...missLines(results),
    ...jwtLines(results),
    ...injectedLines(results),
  ];
}

const OPEN_LOOP_METHOD = [
  "Open loop: requests are planned at fixed times (every 1/rate, or with exponential gaps for" +
    " Poisson arrivals) and sent when due whatever the answers, over a pool of keep-alive" +
    " connections; a request due while every connection is busy waits in the generator." +
    " Response time counts from the planned send, so a stall counts for every request that was" +
    " due during it (no coordinated omission); service time from the actual send.",
  "The generator's clock spins on the high-resolution timer for the last stretch before each" +
    " send, which costs CPU by design (shown per request). Schedule lag is how late it reached" +
    " each send; a run with a lag p99 above 100 µs is flagged: its response times are only as" +
    " good as that lag.",
  "Requests beyond the backlog (about 1 s of traffic) are dropped and counted. A run that drops" +
    " any, or completes fewer than 95% of the offered requests, is past its mode's capacity: a" +
    " valid measurement, flagged as saturated.",
];

function pinningLines({ options }: LoadResults): string[] {
  if (options.pinCpus === "off") return [];
  const arms =
    options.pinCpus === "both"
      ? " Every mode ran pinned and unpinned as two arms of the same rounds; the tables above are" +
        " of the unpinned arm, and the pinning table compares the two."
      : "";
  return [
    "CPU pinning (`--pin-cpus`, taskset): the harness process, the load generator, on CPU 0 and" +
      ` the servers on the other CPUs; Redis and PostgreSQL where the scheduler puts them.${arms}`,
  ];
}

function openLoopLines({ options }: LoadResults): string[] {
  switch (loopOf(options)) {
    case "open":
      return OPEN_LOOP_METHOD;
    case "capacity":
      return [
        ...OPEN_LOOP_METHOD,
        "Capacity: in every round each mode's fresh server first carries a short closed-loop run" +
          " (its figures are the run's throughput and cost); a search then starts at that" +
          " throughput, doubles or halves until one step holds the SLO and one breaks it, and" +
          " bisects until they are within 5%. A step holds when its p99 response time is within" +
          ` ${options.sloP99Ms} ms with nothing dropped. The capacity of a round is the highest` +
          " rate that held.",
      ];
    case "closed":
      return [
        "Closed loop: each connection waits for its answer before sending again, so latency is" +
          " latency at saturation and mirrors throughput; latency at a given traffic level is" +
          " measured by `npm run bench -- --rate N`.",
      ];
  }
}

/** Claim, the figure that tests it, then the verdict and its evidence per cache mode. */
function claimRows(found: readonly ClaimResult[]): { header: string[]; rows: string[][] } {
  const modes = found[0]?.verdicts.map((v) => v.mode) ?? [];
  return {
    header: ["claim", "tested by", ...modes],
    rows: found.map(({ id, by, claim, figure, verdicts }) => [
      `(${id}) ${claim}${by === "reader" ? " (a reader's objection)" : ""}`,
      figure,
      ...verdicts.map((v) => `**${v.verdict}**: ${v.evidence.join("; ")}`),
    ]),
  };
}

function claimsSection(results: LoadResults): string {
  const found = claims(results);
  if (found.length === 0) return `## Claims\n\n${NO_CLAIMS}`;
  const tables = claimTables(found).map((table) => {
    const { header, rows } = claimRows(table);
    return mdTable(header, rows);
  });
  return `## Claims\n\n${CLAIMS_RULE}\n\n${tables.join("\n\n")}`;
}

/** The Markdown view, for a README or a pull request. */
export function renderMarkdown(results: LoadResults): string {
  const { options } = results;
  const tables = summaryRows(results).map(
    ({ title, header, rows }) => `## ${title}\n\n${mdTable(header, rows, true)}`,
  );
  const sections = [
    `# auth-cache-bench: ${options.scenario} scenario, ${benchmarked(options)}`,
    summaryParagraph(results),
    ...tables,
    `## Verdict (${verdictFigure(results)})\n\n${bullets(verdictLines(results), "No modes to compare.")}`,
    claimsSection(results),
    `## Warnings\n\n${bullets(warningLines(results), "None.")}`,
    `## Method\n\n${bullets(methodLines(results), "")}`,
    `## Provenance\n\n${mdTable(["item", "value"], provenanceRows(results.provenance))}`,
    `## Options\n\n${mdTable(["option", "value"], optionRows(options))}`,
  ];
  return `${sections.join("\n\n")}\n`;
}
