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
import { escapeMarkup } from "../report/svg/escape.js";
import { microFigures } from "./charts.js";
import {
  costLines,
  costTable,
  footprintLines,
  footprintTable,
  methodLines,
  optionRows,
  skippedLines,
  suiteLines,
  suiteTable,
} from "./render.js";
import type { MicroResults, SuiteResult } from "./schema.js";

const suiteBlock = (suite: SuiteResult): string =>
  table(suiteTable(suite), true) + list(suiteLines(suite), "");

function intro(results: MicroResults): string {
  const { options, suites, skipped, status } = results;
  const tasks = suites.reduce((sum, suite) => sum + suite.tasks.length, 0);
  const badges = [
    status === "complete" ? "" : `${status}: results are partial`,
    skipped.some((s) => s.failed) ? "a suite failed to start: see Skipped" : "",
  ].filter((badge) => badge !== "");
  const sentence =
    `${tasks} tasks in the suites ${suites.map((suite) => `\`${suite.name}\``).join(", ")}` +
    " timed the steps of a token check on the server's own modules, in one process with no HTTP:" +
    ` ${options.time} ms per task after ${options.warmup} ms of warm-up, unless a suite sets its` +
    " own budget.";
  return (
    `<p>${inline(sentence)}</p>` +
    badges.map((badge) => `<p><span class="status">${escapeMarkup(badge)}</span></p>`).join("")
  );
}

/** The HTML view of the micro-benchmarks: one self-contained file with inline SVG charts. */
export function renderMicroHtml(results: MicroResults): string {
  const sections: Section[] = [
    { id: "charts", heading: "Charts", body: figureGrid(microFigures(results)) },
    ...(results.requestCost.length > 0
      ? [
          {
            id: "cost",
            heading: "Cost of one request",
            body: table(costTable(results), true, 2) + list(costLines(results), ""),
          },
        ]
      : []),
    ...(results.footprint.length > 0
      ? [
          {
            id: "footprint",
            heading: "What the cache holds",
            body: table(footprintTable(results), true, 1) + list(footprintLines(results), ""),
          },
        ]
      : []),
    { id: "tables", heading: "Tables", body: results.suites.map(suiteBlock).join("") },
    { id: "skipped", heading: "Skipped", body: list(skippedLines(results), "Nothing.") },
    { id: "method", heading: "Method", body: list(methodLines(results), "") },
    provenanceSection(provenanceRows(results.provenance), optionRows(results.options)),
  ];
  return htmlPage(
    "auth-cache-bench: micro-benchmarks of the token check",
    intro(results),
    sections,
    RERENDER_FOOTER,
  );
}
