import { redactUrl } from "../../lib/errors.js";
import { formatCost } from "../../server/auth/password.js";
import {
  DASH,
  fmtBytes,
  fmtNum,
  fmtPct,
  fmtRate,
  fmtUs,
  type TableData,
} from "../report/format.js";
import { mdTable, provenanceRows } from "../report/markdown.js";
import { renderTable, section } from "../report/table.js";
import { MIN_SAMPLES, MIN_WARMUP_SAMPLES } from "./measure.js";
import type { MicroResults, MicroTask, SuiteResult } from "./schema.js";

const missing = (x: number | null | undefined): x is null | undefined =>
  x === null || x === undefined || !Number.isFinite(x);

/** Microseconds, with nanoseconds below one: "39.8 ns", "1.93 µs", "352 ms". */
export const fmtTime = (us: number | null | undefined): string => {
  if (missing(us)) return DASH;
  return Math.abs(us) < 1 && us !== 0 ? `${fmtNum(us * 1000)} ns` : fmtUs(us);
};

const fmtCount = (x: number | null | undefined): string =>
  missing(x) ? DASH : x < 1000 ? String(Math.round(x)) : fmtRate(x);

const fmtTimes = (x: number | null | undefined): string => (missing(x) ? DASH : `${fmtNum(x)}×`);

const byMean = (a: MicroTask, b: MicroTask) =>
  (a.stats?.meanUs ?? Number.POSITIVE_INFINITY) - (b.stats?.meanUs ?? Number.POSITIVE_INFINITY);

/** One suite, fastest first, each task's mean also as a multiple of the fastest's. */
export function suiteTable(suite: SuiteResult): TableData {
  const tasks = [...suite.tasks].sort(byMean);
  const fastest = tasks[0]?.stats?.meanUs;
  return {
    title: `${suite.name}: ${suite.title}`,
    header: ["task", "ops/s", "mean", "p50", "p99", "±rme", "samples", "ratio"],
    rows: tasks.map((task) => {
      const s = task.stats;
      return [
        task.name,
        fmtRate(s?.opsPerSecond),
        fmtTime(s?.meanUs),
        fmtTime(s?.p50Us),
        fmtTime(s?.p99Us),
        s && !missing(s.rmePct) ? `±${fmtPct(s.rmePct / 100)}` : DASH,
        fmtCount(s?.samples),
        s && fastest ? fmtTimes(s.meanUs / fastest) : DASH,
      ];
    }),
  };
}

/** What the numbers under a suite's table need said: its notes, batching, failures. */
export function suiteLines(suite: SuiteResult): string[] {
  const lines = [...suite.notes];
  const batches = new Map<number, string[]>();
  for (const task of suite.tasks) {
    if (task.batch > 1) batches.set(task.batch, [...(batches.get(task.batch) ?? []), task.name]);
  }
  for (const [batch, names] of batches) {
    const which = names.length === suite.tasks.length ? "every task" : names.join(", ");
    lines.push(
      `${which}: ${batch} calls per sample, so p50 and p99 are of ${batch}-call means (the mean is exact)`,
    );
  }
  for (const task of suite.tasks) {
    if (task.state === "errored") lines.push(`${task.name} failed: ${task.error ?? "no reason"}`);
  }
  const unfinished = (state: MicroTask["state"], what: string) => {
    const names = suite.tasks.filter((task) => task.state === state).map((task) => task.name);
    if (names.length > 0) lines.push(`${names.join(", ")}: ${what}`);
  };
  unfinished(
    "aborted-with-statistics",
    "interrupted while measured; figures cover the samples taken",
  );
  unfinished("aborted", "interrupted before it was measured");
  unfinished("not-started", "not run");
  return lines;
}

const partName = (results: MicroResults, id: string): string =>
  results.suites.flatMap((suite) => suite.tasks).find((task) => task.id === id)?.name ?? id;

/** Each mode's parts added up, beside its whole check and the load benchmark's HTTP figures. */
export function costTable(results: MicroResults): TableData {
  const cpu = results.loadReference?.cpuUsPerRequest ?? {};
  const hits = results.loadReference?.hitRatio ?? {};
  const ceiling = cpu.ceiling;
  return {
    title: "Cost of one request: the parts added up, the whole check, and the HTTP server's CPU",
    header: [
      "mode",
      "path",
      "sum of parts",
      "whole check",
      "HTTP CPU/req",
      "HTTP − ceiling",
      "HTTP hits",
    ],
    rows: results.requestCost.map((row) => {
      const http = cpu[row.mode];
      return [
        row.mode,
        row.path,
        fmtTime(row.partsUs),
        fmtTime(row.wholeUs),
        fmtTime(http),
        http !== undefined && ceiling !== undefined ? fmtTime(http - ceiling) : DASH,
        fmtPct(hits[row.mode], 0),
      ];
    }),
  };
}

export function costLines(results: MicroResults): string[] {
  const lines = results.requestCost.map((row) => {
    const parts = row.parts.map((id) => partName(results, id)).join(" + ");
    const missingParts =
      row.missing.length > 0
        ? ` (not measured: ${row.missing.map((id) => partName(results, id)).join(", ")})`
        : "";
    return `${row.mode} ${row.path}: ${parts}${missingParts}`;
  });
  const ref = results.loadReference;
  lines.push(
    ref
      ? `HTTP: server CPU µs per request, median over runs, from ${ref.folder} (${ref.scenario} scenario, ${ref.store} store, ${ref.originLatencyMs} ms origin latency, ${ref.createdAt}); − ceiling subtracts the same route served without authentication`
      : `HTTP: no load report of a read scenario in ${results.options.out}/; run \`npm run bench\` to put the server's CPU per request beside these`,
    "sum and whole are wall-clock means in one idle process: a Redis part includes the wait for Redis, which costs the server no CPU, and the redis set counts until Redis acknowledges it, which a request does not wait for. The HTTP CPU also pays for parsing, routing, the response and the socket, which no part measures",
  );
  return lines;
}

/** What a cache entry weighs, and what the memory cache takes before its first entry. */
export function footprintTable(results: MicroResults): TableData {
  return {
    title: "What the cache itself holds: bytes per entry, and per slot of its bound",
    header: [
      "cache",
      "bytes/entry",
      "range",
      "entries weighed",
      "bytes/slot",
      "empty at its bound",
    ],
    rows: results.footprint.map((f) => [
      f.cache,
      fmtNum(f.bytesPerEntry),
      `${fmtNum(f.lowBytes)}–${fmtNum(f.highBytes)}`,
      fmtNum(f.entries),
      fmtNum(f.bytesPerSlot),
      f.slots !== null && f.bytesPerSlot !== null
        ? `${fmtBytes(f.slots * f.bytesPerSlot)} (${fmtNum(f.slots)} slots)`
        : DASH,
    ]),
  };
}

export function footprintLines(results: MicroResults): string[] {
  return [
    ...results.footprint.map((f) => `${f.cache}: ${f.method}`),
    "an entry is a token hash and its principal (tombstones weigh less); the memory cache's index arrays for --cache-max entries exist from its start, full or empty. A load report multiplies these by the entries each run's cache held",
  ];
}

function titleLine(results: MicroResults): string {
  const { options, suites } = results;
  const tasks = suites.reduce((sum, suite) => sum + suite.tasks.length, 0);
  const plural = suites.length === 1 ? "suite" : "suites";
  return (
    `auth-cache-bench micro: ${tasks} tasks in ${suites.length} ${plural}, ` +
    `${options.time} ms each after ${options.warmup} ms warm-up, one process`
  );
}

const statusLines = ({ status }: MicroResults): string[] =>
  status === "complete" ? [] : [`[${status}] the results are partial`];

export function skippedLines(results: MicroResults): string[] {
  return results.skipped.map(
    ({ suite, what, reason, failed }) =>
      `${what} (${suite} suite)${failed ? " FAILED to start" : ""}: ${reason}`,
  );
}

/** The counters behind each task in one line: proof of the path taken, e.g. "1 cache hit". */
function observedLine(suite: SuiteResult): string[] {
  const tasks = suite.tasks.filter((task) => Object.keys(task.perCall).length > 0);
  if (tasks.length === 0) return [];
  const counts = (task: MicroTask) =>
    Object.entries(task.perCall)
      .filter(([, value]) => value !== 0)
      .map(([name, value]) => `${fmtNum(value)} ${name}`)
      .join(", ");
  return [`observed per call: ${tasks.map((task) => `${task.name} ${counts(task)}`).join("; ")}`];
}

/** The terminal view: plain text without colours, 100 columns wide. */
export function renderMicroTables(results: MicroResults): string {
  const skipped = skippedLines(results);
  const blocks = [
    [titleLine(results), ...statusLines(results)].join("\n"),
    ...results.suites.map((suite) =>
      section(renderTable(suiteTable(suite)), [...suiteLines(suite), ...observedLine(suite)]),
    ),
    ...(results.requestCost.length > 0
      ? [section(renderTable(costTable(results)), costLines(results))]
      : []),
    ...(results.footprint.length > 0
      ? [section(renderTable(footprintTable(results)), footprintLines(results))]
      : []),
    ...(skipped.length > 0 ? [section("Skipped", skipped)] : []),
  ];
  return `${blocks.join("\n\n")}\n`;
}

const bullets = (lines: readonly string[]): string => lines.map((line) => `- ${line}`).join("\n");

/** Counters observed per call, such as Redis commands or store lookups: the path really taken. */
function observedTable(suite: SuiteResult): string | null {
  const tasks = suite.tasks.filter((task) => Object.keys(task.perCall).length > 0);
  if (tasks.length === 0) return null;
  const counters = [...new Set(tasks.flatMap((task) => Object.keys(task.perCall)))];
  return mdTable(
    ["observed per call", ...counters],
    tasks.map((task) => [task.name, ...counters.map((c) => fmtNum(task.perCall[c]))]),
    true,
  );
}

const mdTableOf = ({ header, rows }: TableData): string => mdTable(header, rows, true);

export function optionRows(options: MicroResults["options"]): string[][] {
  return Object.entries({ ...options, passwordCost: formatCost(options.passwordCost) }).map(
    ([key, value]) => [key, Array.isArray(value) ? value.join(", ") : redactUrl(String(value))],
  );
}

export function methodLines(results: MicroResults): string[] {
  return [
    `Every suite runs in this one process, in the order ${results.method.order.join(", ")}. The comparisons that matter are within a suite (memory against Redis, one cache mode against another); a process per suite would not separate those, and would spend the time budget on start-up and reconnects.`,
    "Within a suite, tinybench warms every task up before it measures any, so every mode is measured after all of them have run: code the modes share (the verifier, the store, the hook) has seen each of them alike, whichever is measured first.",
    `Warm-up is explicit: ${results.options.warmup} ms per task (at least ${MIN_WARMUP_SAMPLES} samples), thrown away; origin and password suites take a few warm-up calls instead. A full garbage collection runs before each task is measured, so no task pays for the garbage of the one before it.`,
    `Each task runs ${results.options.time} ms (at least ${MIN_SAMPLES} samples) unless its suite says otherwise. The mean is the figure to add up; ops/s is 1 / mean; ±rme is the 95% margin of error of the mean (Student's t) relative to it. The timer's own cost (${fmtTime(results.suites[0]?.timerOverheadUs)}) is subtracted from single-call samples.`,
    "Every call checks that it took the path it is named for (a hit is a hit, a live session is found); a call that did not fails its task, which is reported and does not stop the others.",
    "In-process figures run with no HTTP and no concurrency: they say what each step costs, not what a loaded server does.",
  ];
}

/** The Markdown view, for a README or a pull request. */
export function renderMicroMarkdown(results: MicroResults): string {
  const suites = results.suites.map((suite) => {
    const lines = suiteLines(suite);
    const observed = observedTable(suite);
    return [
      `## ${suite.name}: ${suite.title}`,
      mdTableOf(suiteTable(suite)),
      ...(lines.length > 0 ? [bullets(lines)] : []),
      ...(observed ? [observed] : []),
    ].join("\n\n");
  });
  const cost =
    results.requestCost.length > 0
      ? [
          `## Cost of one request\n\n${mdTableOf(costTable(results))}\n\n${bullets(costLines(results))}`,
        ]
      : [];
  const footprint =
    results.footprint.length > 0
      ? [
          `## What the cache holds\n\n${mdTableOf(footprintTable(results))}\n\n${bullets(footprintLines(results))}`,
        ]
      : [];
  const skipped = skippedLines(results);
  const sections = [
    [`# ${titleLine(results)}`, ...statusLines(results)].join("\n\n"),
    ...suites,
    ...cost,
    ...footprint,
    `## Skipped\n\n${skipped.length > 0 ? bullets(skipped) : "Nothing."}`,
    `## Method\n\n${bullets(methodLines(results))}`,
    `## Provenance\n\n${mdTable(["item", "value"], provenanceRows(results.provenance))}`,
    `## Options\n\n${mdTable(["option", "value"], optionRows(results.options))}`,
  ];
  return `${sections.join("\n\n")}\n`;
}
