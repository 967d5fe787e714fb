import type { TableData } from "./format.js";
import { escapeMarkup } from "./svg/escape.js";
import type { Figure } from "./svg/figure.js";

export interface Section {
  id: string;
  heading: string;
  /** Already escaped. */
  body: string;
}

// Nothing may leave the file: no scripts, no fetches, no fonts; the inline styles are all it uses.
const CSP = "default-src 'none'; style-src 'unsafe-inline'";

const STYLE = `
:root { color-scheme: light; --ink: #1f2328; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa;
  --holds: #1a7f37; --fails: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header, main, footer { max-width: 1180px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 8px; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 0 0 4px; }
p { max-width: 75em; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em;
  background: var(--soft); padding: 0 3px; border-radius: 3px; }
nav { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: .9rem; margin: 8px 0 0; }
nav a { color: #0969da; text-decoration: none; }
.status { display: inline-block; padding: 2px 8px; border-radius: 4px; font-weight: 600;
  background: #fff8c5; border: 1px solid #d4a72c; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(440px, 100%), 1fr)); gap: 20px; }
figure { margin: 0; padding: 12px 14px; border: 1px solid var(--line); border-radius: 6px; }
svg.chart { display: block; width: 100%; height: auto; }
figcaption { color: var(--muted); font-size: .85rem; margin-top: 6px; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .875rem; margin: 0 0 1rem; }
caption { text-align: left; font-weight: 600; padding: 0 0 4px; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
th.num { white-space: normal; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.ci { color: var(--muted); font-size: .85em; }
table.claims td { min-width: 12em; }
table.claims td:first-child { min-width: 16em; }
.verdict { display: inline-block; padding: 0 6px; border: 1px solid; border-radius: 4px;
  font-weight: 600; white-space: nowrap; }
.verdict.holds { color: var(--holds); background: #dafbe1; }
.verdict.does-not-hold { color: var(--fails); background: #ffebe9; }
.verdict.not-significant { color: var(--muted); background: var(--soft); }
.verdict.too-noisy-to-conclude { color: var(--muted); background: #fff8c5; }
.verdict.not-measured-in-this-report { color: var(--muted); border-style: dashed; }
.evidence { display: block; color: var(--muted); font-size: .8rem; margin-top: 2px; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(380px, 100%), 1fr)); gap: 0 24px; }
footer { color: var(--muted); font-size: .8rem; margin-top: 2rem; padding-bottom: 24px;
  border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { font-size: 10pt; }
  header, main, footer { max-width: none; padding: 0; }
  nav { display: none; }
  .figures { display: block; }
  figure { max-width: 165mm; margin: 0 auto 6mm; break-inside: avoid; }
  tr, .verdict { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  .scroll { overflow: visible; }
  * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
`;

/** Escapes, then renders the two Markdown marks the shared texts use: `code` and **bold**. */
export const inline = (text: string): string =>
  escapeMarkup(text)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>");

export const list = (lines: readonly string[], none: string): string =>
  lines.length > 0
    ? `<ul>${lines.map((line) => `<li>${inline(line)}</li>`).join("")}</ul>`
    : `<p>${escapeMarkup(none)}</p>`;

// The shared cells put a CI after its median as " [lo–hi]": it is set smaller, under the median.
function cell(text: string, numeric: boolean): string {
  const at = text.indexOf(" [");
  const content =
    at > 0
      ? `${escapeMarkup(text.slice(0, at))} <span class="ci">${escapeMarkup(text.slice(at + 1))}</span>`
      : escapeMarkup(text);
  return `<td${numeric ? ' class="num"' : ""}>${content}</td>`;
}

/** A table of shared rows; numeric columns (all after the first `textColumns`) align right. */
export function table(
  { title, header, rows }: TableData,
  numeric: boolean,
  textColumns = 1,
): string {
  const isNumber = (i: number) => numeric && i >= textColumns;
  const head = header
    .map((label, i) => `<th${isNumber(i) ? ' class="num"' : ""}>${escapeMarkup(label)}</th>`)
    .join("");
  const body = rows
    .map((row) => `<tr>${row.map((text, i) => cell(text, isNumber(i))).join("")}</tr>`)
    .join("");
  return (
    `<div class="scroll"><table><caption>${escapeMarkup(title)}</caption>` +
    `<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`
  );
}

function figureHtml({ id, title, caption, svg }: Figure): string {
  return (
    `<figure id="${escapeMarkup(id)}"><h3>${escapeMarkup(title)}</h3>${svg}` +
    `<figcaption>${inline(caption)}</figcaption></figure>`
  );
}

/** Where the results came from and what the command was asked, side by side on a wide screen. */
export const provenanceSection = (machine: string[][], options: string[][]): Section => ({
  id: "provenance",
  heading: "Provenance",
  body:
    `<div class="columns">` +
    table({ title: "Machine and software", header: ["item", "value"], rows: machine }, false) +
    table({ title: "Options", header: ["option", "value"], rows: options }, false) +
    "</div>",
});

export const RERENDER_FOOTER =
  "Rendered from results.json alone; <code>npm run report -- &lt;folder&gt;</code> renders it" +
  " again. The page is self-contained: no scripts, no network.";

/** Charts side by side on a wide screen, one per row on a narrow one and in print. */
export const figureGrid = (figures: readonly Figure[]): string =>
  `<div class="figures">${figures.map(figureHtml).join("\n")}</div>`;

/**
 * A whole self-contained page: every kind of results (load, revocation) renders its sections and
 * figures into this same frame, so they look and print alike.
 */
export function htmlPage(
  title: string,
  intro: string,
  sections: readonly Section[],
  footer: string,
): string {
  const nav = sections
    .map(({ id, heading }) => `<a href="#${escapeMarkup(id)}">${escapeMarkup(heading)}</a>`)
    .join("");
  const body = sections
    .map(({ id, heading, body: content }) => {
      const anchor = escapeMarkup(id);
      return `<section id="${anchor}"><h2>${escapeMarkup(heading)}</h2>${content}</section>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>${escapeMarkup(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeMarkup(title)}</h1>${intro}<nav>${nav}</nav></header>
<main>
${body}
</main>
<footer>${footer}</footer>
</body>
</html>
`;
}
