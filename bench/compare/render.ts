import {
  DASH,
  fmtCi,
  fmtComparison,
  fmtDetectable,
  fmtP,
  fmtPct,
  type TableData,
} from "../report/format.js";
import { mdTable } from "../report/markdown.js";
import { renderTable, section } from "../report/table.js";
import {
  fmtThreshold,
  type GateDesign,
  type GateResult,
  type MetricChange,
  type ResultsSide,
} from "./compare-results.js";
import type { MapGate } from "./map-gate.js";
import { METRICS } from "./metrics.js";

/** What each design calls its two sides. */
export const SIDES: Readonly<Record<GateDesign, { baseline: string; current: string }>> = {
  separate: { baseline: "baseline", current: "current" },
  interleaved: { baseline: "base", current: "candidate" },
};

export function changeRows(result: GateResult): TableData {
  const names = SIDES[result.design];
  const paired = result.design === "interleaved" ? ", paired by round" : "";
  return {
    title: `Change from ${names.baseline} to ${names.current}${paired}`,
    header: [
      "mode",
      "metric",
      `${names.baseline} [95% CI]`,
      `${names.current} [95% CI]`,
      `change [${fmtPct(1 - result.options.alpha, 0)} CI]`,
      "Holm p",
      "status [detects]",
    ],
    rows: result.changes.map(({ mode, metric, baseline, current, change, holmP, status }) => {
      const { label, format } = METRICS[metric];
      return [
        mode,
        label,
        fmtCi(baseline, format),
        fmtCi(current, format),
        change ? fmtComparison(change) : DASH,
        holmP !== null ? fmtP(holmP) : DASH,
        // What a `~` rules out: no change larger than this.
        status === "~" && change ? `~ [${fmtDetectable(change.detectable)}]` : status,
      ];
    }),
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function headline(result: GateResult): string {
  const { threshold, alpha } = result.options;
  const rule = `beyond ${fmtThreshold(threshold)} at α ${alpha}`;
  const count = (status: MetricChange["status"]) =>
    result.changes.filter((c) => c.status === status).length;
  const improvements = count("improvement");
  const also = improvements > 0 ? `; ${plural(improvements, "improvement")}` : "";
  switch (result.outcome) {
    case "fail":
      return `FAIL: ${plural(count("regression"), "regression")} ${rule}${also}`;
    case "cannot judge": {
      const cannot = count("cannot judge");
      const total = result.changes.length;
      return cannot === total
        ? `CANNOT JUDGE: none of the ${plural(total, "change")} can be judged (see Notes)`
        : `CANNOT JUDGE: ${cannot} of ${plural(total, "change")} (see Notes); no regression ${rule} in the rest${also}`;
    }
    case "pass":
      return `PASS: no regression ${rule}${also}`;
  }
}

export function noteLines(result: GateResult): string[] {
  return result.changes.flatMap((c) =>
    c.note ? [`${c.mode} ${METRICS[c.metric].label}: ${c.note}`] : [],
  );
}

const sideLine = (name: string, side: ResultsSide): string =>
  `${name}: ${side.label} (${[side.commit ? `commit ${side.commit}` : "no commit", side.createdAt].join(", ")})`;

const sideLines = (result: GateResult): string[] => {
  const names = SIDES[result.design];
  return [sideLine(names.baseline, result.baseline), sideLine(names.current, result.current)];
};

const RULE =
  " adjusted by Holm's step-down over every test of the gate, so that many metrics do not" +
  " make a false alarm likely. A change counts when its Holm p < α, its CI excludes 1" +
  " and it is beyond the threshold; `~` is anything less, and says in brackets the smallest change" +
  " these runs would have shown four times in five: no change larger than that.";

export const METHODS: Readonly<Record<GateDesign, string>> = {
  separate:
    "change = current ÷ baseline: the ratio of medians with a bootstrap CI at confidence 1 − α (the" +
    " runs of two benchmarks are independent); Holm p is a two-sided Mann-Whitney U test's p over" +
    ` the runs,${RULE} Baseline and current are medians over valid runs with their 95% CI.`,
  interleaved:
    "change = candidate ÷ base: the median of the per-round ratios (each round ran both versions," +
    " in a seeded random order) with its order-statistic CI at confidence 1 − α; Holm p is an" +
    " exact two-sided Wilcoxon signed-rank test's p over the per-round log ratios," +
    `${RULE} Base and candidate are medians over valid runs with their 95% CI; a round where` +
    " either run was not valid drops that round's pair only.",
};

/** The terminal view of a comparison, 100 columns wide. */
export function renderGateText(result: GateResult): string {
  const notes = noteLines(result);
  const blocks = [
    section(headline(result), sideLines(result)),
    renderTable(changeRows(result)),
    ...(notes.length > 0 ? [section("Notes", notes)] : []),
    ...(result.setupDifferences.length > 0
      ? [section("Setup differences (allowed by --allow-different-setup)", result.setupDifferences)]
      : []),
    section("Method", [METHODS[result.design].replaceAll("`", "")]),
  ];
  return `${blocks.join("\n\n")}\n`;
}

const bullets = (lines: readonly string[]): string => lines.map((line) => `- ${line}`).join("\n");

/** The Markdown view, for a pull-request comment. */
export function renderGateMarkdown(result: GateResult): string {
  const { header, rows } = changeRows(result);
  const notes = noteLines(result);
  const marked = rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 && cell !== "~" ? `**${cell}**` : cell)),
  );
  const title =
    result.design === "interleaved"
      ? "A/B run: the candidate against the base, interleaved"
      : "comparison with the baseline";
  const sections = [
    `## auth-cache-bench: ${title}`,
    `**${headline(result)}**`,
    bullets(sideLines(result)),
    mdTable(header, marked, true),
    ...(notes.length > 0 ? [`### Notes\n\n${bullets(notes)}`] : []),
    ...(result.setupDifferences.length > 0
      ? [
          `### Setup differences (allowed by \`--allow-different-setup\`)\n\n${bullets(result.setupDifferences)}`,
        ]
      : []),
    `<sub>${METHODS[result.design]}</sub>`,
  ];
  return `${sections.join("\n\n")}\n`;
}

/** Two maps: the load gate's view of each distance they share, under its distance. */
export function renderMapGate(gate: MapGate, markdown: boolean): string {
  const render = markdown ? renderGateMarkdown : renderGateText;
  const parts = gate.distances.map(({ distance, result }) =>
    markdown ? `# At ${distance}\n\n${render(result)}` : `== at ${distance} ==\n${render(result)}`,
  );
  const unmatched =
    gate.unmatched.length > 0
      ? [`Distances not compared (in one map only, or failed in one): ${gate.unmatched.join(", ")}`]
      : [];
  const verdict = `Map: ${gate.outcome} over ${gate.distances.length} distances (alpha shared out over them)`;
  return `${[verdict, ...unmatched, ...parts].join("\n\n")}\n`;
}
