import { redactUrl } from "../../lib/errors.js";
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
import { revocationFigures } from "./charts.js";
import { backgroundWords, LAG_METHOD, lagRows, notes, PROBE_METHOD } from "./render.js";
import type { RevocationResults } from "./schema.js";

const count = (n: number, word: string, suffix = "s"): string =>
  `${n} ${word}${n === 1 ? "" : suffix}`;

function intro(results: RevocationResults): string {
  const o = results.options;
  const modes = o.modes.map((mode) => `\`${mode}\``).join(", ");
  const sentences = [
    `Modes ${modes} each ran on ${count(o.instances, "server process", "es")} sharing one` +
      ` ${o.store} store: ${count(o.trials, "revocation")} per event (${o.events.join(", ")}) and` +
      ` ${count(o.raceTrials, "race trial")} of ${count(o.raceConnections, "connection")}, probes` +
      ` every ${o.intervalMs} ms, cache TTL ${o.cacheTtl} s (tiered's local tier` +
      ` ${o.localCacheTtl} s), ${backgroundWords(o)}.`,
  ];
  if (results.skipped.length > 0) {
    sentences.push(`Skipped: ${results.skipped.map((s) => `\`${s.mode}\``).join(", ")}.`);
  }
  const unrevoked = results.summaries.reduce((sum, s) => sum + s.unrevoked, 0);
  const badges = [
    results.status === "complete" ? "" : `${results.status}: results are partial`,
    unrevoked > 0
      ? `${unrevoked} probes never got 401 within the bound: a correctness failure`
      : "",
  ].filter((badge) => badge !== "");
  return (
    `<p>${inline(sentences.join(" "))}</p>` +
    badges.map((badge) => `<p><span class="status">${escapeMarkup(badge)}</span></p>`).join("")
  );
}

const optionRows = (options: RevocationResults["options"]): string[][] =>
  Object.entries(options).map(([key, value]) => [
    key,
    Array.isArray(value) ? value.join(", ") : redactUrl(String(value)),
  ]);

/** The HTML view of a revocation benchmark: one self-contained file with inline SVG charts. */
export function renderRevocationHtml(results: RevocationResults): string {
  const { options, provenance } = results;
  const bounds = [
    ...new Set(results.summaries.map((s) => `\`${s.mode}\`, ${s.role}: ${s.boundNote}`)),
  ];
  const sections: Section[] = [
    { id: "charts", heading: "Charts", body: figureGrid(revocationFigures(results)) },
    {
      id: "table",
      heading: "Table",
      body: table(
        { title: "Lag, stale accepts and races per mode, event and instance", ...lagRows(results) },
        true,
        3,
      ),
    },
    { id: "notes", heading: "Notes", body: list(notes(results), "None.") },
    { id: "bounds", heading: "Promised bounds", body: list(bounds, "No modes ran.") },
    {
      id: "method",
      heading: "Method",
      body: list(
        [
          LAG_METHOD,
          PROBE_METHOD(options.intervalMs),
          "**never 401** counts probes still answered 2xx when the bound (the longest cache TTL" +
            " and a margin) ran out: a correctness failure, not a slow result.",
        ],
        "",
      ),
    },
    provenanceSection(provenanceRows(provenance), optionRows(options)),
  ];
  return htmlPage(
    `auth-cache-bench: revocation lag, ${options.store} store`,
    intro(results),
    sections,
    RERENDER_FOOTER,
  );
}
