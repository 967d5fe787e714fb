import { armLabel } from "../load/index.js";
import {
  DASH,
  fmtComparison,
  fmtMs,
  fmtNum,
  fmtP,
  fmtRate,
  type TableData,
} from "../report/format.js";
import { mdTable, optionRows, provenanceRows } from "../report/markdown.js";
import { renderTable, section } from "../report/table.js";
import { smallestP } from "../stats/index.js";
import { BASELINE, byDistance, crossoverText, figureName } from "./derive.js";
import type { ColdStartCell, MapCell, MapFigure, MapPoint, MapResults } from "./schema.js";

/** The figure a point's winner is chosen by: response time at the offered rate, else throughput. */
export const primaryFigure = (results: MapResults): MapFigure =>
  results.options.rate === null ? "throughput" : "p99";

/** A point's row label: the distance as asked, and as measured. */
export const distanceLabel = (point: MapPoint): string =>
  `${point.distance.label} (${fmtMs(point.measuredMs?.median)})`;

/**
 * The winner at one distance: the cache mode that beats none most on the primary figure,
 * significantly; none when no cache mode does.
 */
export function winner(point: MapPoint, figure: MapFigure): string | null {
  if (point.status !== "complete") return null;
  const better = figure === "throughput" ? 1 : -1;
  const winners = point.cells.filter((cell) => cell[figure].sign === 1);
  if (winners.length === 0) return point.cells.some((c) => c.mode === BASELINE) ? BASELINE : null;
  const ratio = (cell: MapCell) => (cell[figure].comparison?.ratio ?? 1) * better;
  return winners.reduce((best, cell) => (ratio(cell) > ratio(best) ? cell : best)).mode;
}

/** Two lines a cell: the ratio to none (its CI below it in the terminal), then CPU per request. */
function cellText(point: MapPoint, cell: MapCell | undefined, figure: MapFigure): string {
  if (!cell) return DASH;
  const cpu = `${fmtNum(cell.systemCpuUsPerRequest?.median)} µs CPU`;
  const mark = winner(point, figure) === cell.mode ? " ★" : "";
  if (cell.mode === BASELINE) {
    const level = figure === "throughput" ? `${fmtRate(cell.rps?.median)} req/s` : "baseline";
    return `${level}\n${cpu}${mark}`;
  }
  return `${fmtComparison(cell[figure].comparison)}\n${cpu}${mark}`;
}

/** Rows: measured distance; columns: modes; cells: × none and whole-system CPU per request. */
export function decisionTable(results: MapResults): TableData {
  const figure = primaryFigure(results);
  const modes = results.options.modes;
  return {
    title: `Where caching pays off: ${figureName(figure)} × none [95% CI], whole-system CPU/req; ★ wins`,
    header: ["distance (measured)", ...modes],
    rows: byDistance(results.points).map((point) =>
      point.status === "complete"
        ? [
            distanceLabel(point),
            ...modes.map((mode) =>
              cellText(
                point,
                point.cells.find((c) => c.mode === mode),
                figure,
              ),
            ),
          ]
        : [point.distance.label, ...modes.map(() => `${point.status}`)],
    ),
  };
}

/** The arms of the cold-start scenario as they ran, in order: "memory", "memory (single-flight off)". */
export function coldStartArms(results: MapResults): Pick<ColdStartCell, "mode" | "variant">[] {
  const seen = new Map<string, Pick<ColdStartCell, "mode" | "variant">>();
  for (const point of results.points) {
    for (const cell of point.coldStart) seen.set(`${cell.mode}|${cell.variant}`, cell);
  }
  return [...seen.values()];
}

/** The figures measured besides the decision table's: throughput under --rate, capacity. */
export function otherFigures(results: MapResults): MapFigure[] {
  const primary = primaryFigure(results);
  return (["throughput", "capacity"] as const).filter(
    (figure) => figure !== primary && (figure !== "capacity" || results.options.capacity),
  );
}

/** One more figure of each mode against none, per distance. */
export function figureTable(results: MapResults, figure: MapFigure): TableData {
  const modes = results.options.modes.filter((mode) => mode !== BASELINE);
  return {
    title: `${figureName(figure)} × none [95% CI]`,
    header: ["distance (measured)", ...modes],
    rows: byDistance(results.points).map((point) => [
      distanceLabel(point),
      ...modes.map((mode) =>
        fmtComparison(point.cells.find((c) => c.mode === mode)?.[figure].comparison),
      ),
    ]),
  };
}

/** --cold-start: per distance and arm, how long a cold cache took to settle, and the store's peak. */
export function coldStartTable(results: MapResults): TableData | null {
  const arms = coldStartArms(results);
  if (arms.length === 0) return null;
  return {
    title: "Cold start: time to the steady hit ratio, ms, and the store's peak lookups/s",
    header: ["distance (measured)", ...arms.map(armLabel)],
    rows: byDistance(results.points).map((point) => [
      distanceLabel(point),
      ...arms.map((arm) => {
        const cell = point.coldStart.find((c) => c.mode === arm.mode && c.variant === arm.variant);
        if (!cell) return DASH;
        const settle =
          cell.timeToSteadyMs === null ? "no cache" : `${fmtNum(cell.timeToSteadyMs.median)} ms`;
        return `${settle}\n${fmtRate(cell.peakLookupsPerSecond?.median)}/s peak`;
      }),
    ]),
  };
}

export function crossoverLines(results: MapResults): string[] {
  const lines = results.crossovers.map(
    ({ mode, figure, crossover }) =>
      `${mode} against none, ${figureName(figure)}: ${crossoverText(crossover)}`,
  );
  // Mann-Whitney over n runs a side reaches no p below 2 / C(2n, n): with too few, nothing can win.
  const rounds = results.options.runs;
  if (smallestP(rounds, rounds) >= ALPHA) {
    lines.push(
      `with ${rounds} rounds no comparison can reach p < ${ALPHA} (the smallest is ${fmtP(smallestP(rounds, rounds))}): nothing is significant, so no crossover can be located; run at least 4 rounds`,
    );
  }
  return lines;
}

const ALPHA = 0.05;

const fmtExposure = (ms: number): string =>
  ms === 0 ? "0" : ms >= 1000 ? `${fmtNum(ms / 1000)} s` : `${fmtNum(ms)} ms`;

export function exposureLines(results: MapResults): string[] {
  return results.exposure.map((e) => {
    const measured =
      e.measuredMs === null
        ? "not measured (run `npm run bench:revocation` with the same store)"
        : `measured ${fmtExposure(e.measuredMs)} in ${e.report} (cache TTL ${e.measuredCacheTtl} s there${e.measuredCacheTtl === results.options.cacheTtl ? "" : `, ${results.options.cacheTtl} s here`})`;
    return `${e.mode}: promised ${fmtExposure(e.promisedMs)} on the other instances (${e.promise}); ${measured}`;
  });
}

/** What the axes mean and how the points were measured. */
export function methodLines(results: MapResults): string[] {
  const { options } = results;
  const added = results.points
    .filter((p) => p.addedDelayMs)
    .map((p) => `${p.distance.label} ${fmtMs(p.addedDelayMs?.median)}`);
  return [
    `Each distance is one load benchmark (its report under points/): a fresh server per run, the modes interleaved in ${options.runs} rounds of ${options.duration} s after ${options.warmup} s of warm-up, ${options.connections} connections, each mode against none of the same round.`,
    "The measured distance is the time none's server took per session lookup, asked to answered: the store's own read plus the delay --origin-latency-ms added (a timer; under 1 ms is refused)." +
      (added.length > 0 ? ` Delay really added per read: ${added.join(", ")}.` : ""),
    "Whole-system CPU per request is the server's with redis-server's and the PostgreSQL backends' on the request path (see reading-a-report.md): the comparison that does not depend on the concurrency. Throughput in a closed loop does (Little's law), at the connections stated.",
    "A cell's sign counts only when significant (Mann-Whitney p < 0.05, CI excluding 1) and not withheld as too noisy. A crossover lies between the last distance where the mode loses significantly and the first where it wins.",
  ];
}

const failedLines = (results: MapResults): string[] =>
  results.points.flatMap((p) =>
    p.status === "complete"
      ? p.skipped.map((s) => `${p.distance.label}: ${s.mode} skipped: ${s.reason}`)
      : [`${p.distance.label} ${p.status}: ${p.reason}`],
  );

const titleLine = (results: MapResults): string =>
  `auth-cache-bench map: ${results.options.modes.join(", ")} at ${results.points.length} store distances` +
  (results.status === "complete" ? "" : ` [${results.status}]`);

/** The terminal view. */
export function renderMapTables(results: MapResults): string {
  const failed = failedLines(results);
  const cold = coldStartTable(results);
  return `${[
    titleLine(results),
    renderTable(decisionTable(results)),
    ...otherFigures(results).map((figure) => renderTable(figureTable(results, figure))),
    ...(cold ? [renderTable(cold)] : []),
    section("Crossovers (where a mode starts to beat none)", crossoverLines(results)),
    section("Revocation exposure (what each mode's speed costs)", exposureLines(results)),
    ...(failed.length > 0 ? [section("Failed or skipped", failed)] : []),
  ].join("\n\n")}\n`;
}

const bulleted = (lines: readonly string[]) => lines.map((line) => `- ${line}`).join("\n");

/** The Markdown view. */
export function renderMapMarkdown(results: MapResults): string {
  const table = decisionTable(results);
  const failed = failedLines(results);
  const cold = coldStartTable(results);
  return `${[
    `# ${titleLine(results)}`,
    `## ${table.title}`,
    mdTable(table.header, table.rows),
    ...otherFigures(results).flatMap((figure) => {
      const more = figureTable(results, figure);
      return [`## ${more.title}`, mdTable(more.header, more.rows)];
    }),
    ...(cold ? [`## ${cold.title}`, mdTable(cold.header, cold.rows)] : []),
    `## Crossovers\n\n${bulleted(crossoverLines(results))}`,
    `## Revocation exposure\n\n${bulleted(exposureLines(results))}`,
    ...(failed.length > 0 ? [`## Failed or skipped\n\n${bulleted(failed)}`] : []),
    `## Method\n\n${bulleted(methodLines(results))}`,
    `## Provenance\n\n${mdTable(["item", "value"], provenanceRows(results.provenance))}`,
    `## Options\n\n${mdTable(["option", "value"], mapOptionRows(results))}`,
  ].join("\n\n")}\n`;
}

export const mapOptionRows = (results: MapResults): string[][] =>
  optionRows({
    ...results.options,
    distances: results.options.distances.map((d) => d.label),
  });
