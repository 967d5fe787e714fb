import type { MetricChange } from "../compare/compare-results.js";
import { METRICS, type MetricId } from "../compare/metrics.js";
import { changeRows, headline, METHODS, noteLines } from "../compare/render.js";
import { fmtPct } from "../report/format.js";
import {
  figureGrid,
  htmlPage,
  inline,
  list,
  provenanceSection,
  RERENDER_FOOTER,
  type Section,
  table,
} from "../report/html-page.js";
import { provenanceRows } from "../report/markdown.js";
import type { Figure } from "../report/svg/figure.js";
import { MUTED } from "../report/svg/frame.js";
import { type Row, rowChart } from "../report/svg/row-chart.js";
import { runLines, versionLines } from "./render.js";
import type { AbResults } from "./schema.js";

const STATUS_COLOR: Readonly<Record<MetricChange["status"], string>> = {
  regression: "#cf222e",
  improvement: "#1a7f37",
  "~": "#57606a",
  "cannot judge": "#8c959f",
};

const signed = (ratio: number) => `${ratio >= 1 ? "+" : "−"}${fmtPct(Math.abs(ratio - 1), 1)}`;

function changeRow(change: MetricChange, threshold: number): Row {
  const worse = METRICS[change.metric].better === "higher" ? 1 - threshold : 1 + threshold;
  const c = change.change;
  const label = change.mode;
  if (!c) {
    return {
      label,
      color: MUTED,
      tip: `${label}: ${change.note ?? "not judged"}`,
      missing: change.status,
    };
  }
  return {
    label,
    color: STATUS_COLOR[change.status],
    whisker: c.ci,
    points: [{ marker: "circle", value: c.ratio }],
    limit: worse,
    value: `${signed(c.ratio)} ${change.status}`,
    tip: `${label}: candidate ÷ base ${c.ratio.toFixed(3)} [${c.ci[0].toFixed(3)}–${c.ci[1].toFixed(3)}], ${change.status}${change.note ? ` (${change.note})` : ""}`,
  };
}

/** One chart per metric: each mode's candidate ÷ base with its CI, the threshold on the worse side. */
function changeFigure(results: AbResults, metric: MetricId): Figure {
  const gate = results.gate;
  const threshold = gate?.options.threshold ?? results.options.threshold;
  const { label, better } = METRICS[metric];
  return {
    id: `fig-change-${metric}`,
    title: `${label}: candidate ÷ base`,
    caption:
      `Each mode's median of per-round ratios with its CI; ${better} is better. The dashed tick is` +
      ` the ${fmtPct(threshold, 1)} threshold on the worse side: a regression is significant (Holm)` +
      " and beyond it. Red: regression; green: improvement; grey: `~` or not judged.",
    svg: rowChart({
      label: `${label}, candidate ÷ base per mode, with its CI`,
      axisTitle: `candidate ÷ base (${better} is better)`,
      scale: "linear",
      format: (x) => `${x.toFixed(2)}×`,
      legend: [],
      rows: (gate?.changes ?? [])
        .filter((c) => c.metric === metric)
        .map((c) => changeRow(c, threshold)),
      empty: "no change judged",
    }),
  };
}

export function renderAbHtml(results: AbResults): string {
  const gate = results.gate;
  const metrics = gate?.options.metrics ?? results.options.metrics;
  const intro = `<p><strong>${inline(gate ? headline(gate) : "no gate yet")}</strong></p>`;
  const sections: Section[] = [
    {
      id: "changes",
      heading: "Changes",
      body: gate
        ? `${table(changeRows(gate), true, 2)}${list(noteLines(gate), "Every change could be judged.")}`
        : "<p>No runs.</p>",
    },
    {
      id: "charts",
      heading: "Change per metric",
      body: figureGrid(metrics.map((metric) => changeFigure(results, metric))),
    },
    {
      id: "run",
      heading: "The run and its versions",
      body: list([...runLines(results), ...versionLines(results)], ""),
    },
    { id: "method", heading: "Method", body: `<p>${inline(METHODS.interleaved)}</p>` },
    provenanceSection(
      provenanceRows(results.provenance),
      Object.entries(results.options).map(([key, value]) => [
        key,
        Array.isArray(value) ? value.join(key.endsWith("ServerArgs") ? " " : ",") : String(value),
      ]),
    ),
  ];
  return htmlPage("auth-cache-bench: A/B run", intro, sections, RERENDER_FOOTER);
}
