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
import { optionRows, provenanceRows } from "../report/markdown.js";
import { escapeMarkup } from "../report/svg/escape.js";
import { loadFigures } from "./charts.js";
import { CLAIMS_RULE, type ClaimResult, claims, claimTables, NO_CLAIMS } from "./claims.js";
import { methodLines, summaryParagraph } from "./markdown.js";
import { summaryRows, verdictFigure, verdictLines, warningLines } from "./rows.js";
import { benchmarked, type LoadResults } from "./schema.js";

function claimsHtml(found: readonly ClaimResult[]): string {
  if (found.length === 0) return `<p>${escapeMarkup(NO_CLAIMS)}</p>`;
  return `<p>${inline(CLAIMS_RULE)}</p>${claimTables(found).map(claimsTableHtml).join("")}`;
}

function claimsTableHtml(found: readonly ClaimResult[]): string {
  const modes = found[0]?.verdicts.map((v) => v.mode) ?? [];
  const head = ["claim", "tested by", ...modes].map((h) => `<th>${escapeMarkup(h)}</th>`).join("");
  const rows = found.map(({ id, by, claim, figure, verdicts }) => {
    const who = by === "reader" ? ` <span class="ci">(a reader's objection)</span>` : "";
    const cells = verdicts.map(
      ({ verdict, evidence }) =>
        `<td><span class="verdict ${verdict.replaceAll(" ", "-")}">${escapeMarkup(verdict)}</span>` +
        evidence.map((line) => `<span class="evidence">${inline(line)}</span>`).join("") +
        "</td>",
    );
    return `<tr><td>(${id}) ${escapeMarkup(claim)}${who}</td><td>${escapeMarkup(figure)}</td>${cells.join("")}</tr>`;
  });
  return (
    `<div class="scroll"><table class="claims">` +
    `<thead><tr>${head}</tr></thead><tbody>${rows.join("")}</tbody></table></div>`
  );
}

/** The HTML view of a load benchmark: one self-contained file with inline SVG charts. */
export function renderHtml(results: LoadResults): string {
  const { options, provenance, status } = results;
  const title = `auth-cache-bench: ${options.scenario} scenario, ${benchmarked(options)}`;
  const warnings = warningLines(results);
  const notes = [
    status === "complete"
      ? ""
      : `<span class="status">${escapeMarkup(status)}: results are partial</span> `,
    warnings.length > 0
      ? `<a href="#warnings">${warnings.length} warning${warnings.length === 1 ? "" : "s"}</a>`
      : "",
  ].join("");
  const intro = `<p>${inline(summaryParagraph(results))}</p>${notes ? `<p>${notes}</p>` : ""}`;
  const sections: Section[] = [
    { id: "claims", heading: "Claims", body: claimsHtml(claims(results)) },
    {
      id: "charts",
      heading: "Charts",
      body: figureGrid(loadFigures(results)),
    },
    {
      id: "tables",
      heading: "Tables",
      body: summaryRows(results)
        .map((data) => table(data, true))
        .join(""),
    },
    {
      id: "verdict",
      heading: `Verdict (${verdictFigure(results)})`,
      body: list(verdictLines(results), "No modes to compare."),
    },
    { id: "warnings", heading: "Warnings", body: list(warnings, "None.") },
    { id: "method", heading: "Method", body: list(methodLines(results), "") },
    provenanceSection(provenanceRows(provenance), optionRows(options)),
  ];
  return htmlPage(title, intro, sections, RERENDER_FOOTER);
}
