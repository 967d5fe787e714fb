import Table from "cli-table3";
import { byMessage } from "./derive.js";
import type { RevocationOptions, RevocationResults } from "./schema.js";

const ms = (value: number | null) =>
  value === null ? "–" : value < 10 ? `${value.toFixed(2)} ms` : `${Math.round(value)} ms`;

/** What the figures mean, for the Markdown and the HTML views. */
export const LAG_METHOD =
  "Lag is the time from a revocation's response (logout or password change) to the sending of the first request that got 401, per instance. Exposure is the time from the revocation's response to the answer of the last request still accepted (0 when none was): unlike the count of stale accepts (requests sent after the revocation response and answered 2xx), it does not depend on how often the probes went. Back counts requests accepted again after a 401, within the resurrection window. The race column counts, for each role, the 2xx answers to requests sent after the revocation response while many connections hammered the token and went on for the resurrection window; their exposure and any accept after a 401 count toward the promise like the probes'.";

/** How the probes were sent: on a thread of their own, stamped as they are written. */
export const PROBE_METHOD = (intervalMs: number): string =>
  `Probes go every ${intervalMs} ms, so a lag is known to within one interval. They run on a` +
  " thread of their own, each over a keep-alive connection it holds to every instance, and are" +
  " stamped as they are handed to that idle connection: the harness's background load and its" +
  " callbacks do not delay them. A p99 over fewer than 100 samples is close to their maximum:" +
  " the role column gives each count.";

/** The background load, in a few words. */
export const backgroundWords = (o: RevocationOptions): string =>
  o.loadRate > 0
    ? `a background load of ${o.loadRate} req/s offered over the instances (open loop, up to ${o.loadConnections} connections each)`
    : "no background load";

/** Rows shared by the terminal, Markdown and HTML views. */
export function lagRows(results: RevocationResults): { header: string[]; rows: string[][] } {
  return {
    header: [
      "mode",
      "event",
      "role",
      "lag p50",
      "lag p99",
      "exposed max",
      "stale",
      "never 401 / back",
      "promised",
      "race: 2xx after",
    ],
    rows: results.summaries.map((s) => [
      s.mode,
      s.event,
      `${s.role} (${s.samples})`,
      ms(s.p50),
      ms(s.p99),
      ms(s.exposureMaxMs),
      String(s.staleAccepts),
      `${s.unrevoked} / ${s.resurrections}`,
      s.boundMs === 0 && byMessage(s.mode, s.role, results.options) ? "delivery" : ms(s.boundMs),
      `${s.raceStale} of ${s.raceRequests}`,
    ]),
  };
}

function title(results: RevocationResults): string {
  const o = results.options;
  // A deployment's own cache and store are not the benchmark's settings.
  const where =
    o.probes.length > 0
      ? `${o.probes.length} instances of a deployment (${o.probes.join(", ")}), promising ${o.promiseMs} ms`
      : `${o.instances} instances, cache TTL ${o.cacheTtl} s, ${o.store} store`;
  return `auth-cache-bench revocation: ${where}, ${o.trials} trials per mode and event, probes every ${o.intervalMs} ms`;
}

export function notes(results: RevocationResults): string[] {
  const lines = results.skipped.map((s) => `skipped ${s.mode}: ${s.reason}`);
  for (const b of results.background) {
    lines.push(
      `${b.mode}: background load ${b.offeredRate === null ? "" : `${b.offeredRate} req/s offered, `}${Math.round(b.rps)} req/s completed across the instances${b.p99Us === null ? "" : `, p99 ${ms(b.p99Us / 1000)}`}${b.unexpected > 0 ? `, ${b.unexpected} unexpected answers` : ""}`,
    );
  }
  for (const s of results.summaries) {
    if (s.brokenPromise)
      lines.push(`BROKEN PROMISE: ${s.mode} ${s.event}, ${s.role}: ${s.brokenPromise}`);
  }
  for (const pair of results.lagVsThroughput) {
    lines.push(
      `${pair.mode}: ${Math.round(pair.rps)} req/s in ${pair.report}, lag p99 on other instances ${ms(pair.lagP99Ms)}`,
    );
  }
  return lines;
}

export function renderRevocationTable(results: RevocationResults): string {
  const { header, rows } = lagRows(results);
  // The mode above its event: a JWT mode's name (jwt-denylist) is too long to share a 100-column
  // line with an event column of its own.
  const stacked = (row: string[]) => [`${row[0]}\n${row[1]}`, ...row.slice(2)];
  const table = new Table({
    head: stacked(header),
    style: { head: [], border: [] },
    wordWrap: true,
    colWidths: [14, 10, 9, 9, 9, 8, 8, 10, 9],
  });
  table.push(...rows.map(stacked));
  return [title(results), "", table.toString(), "", ...notes(results)].join("\n");
}

const cell = (text: string) => text.replaceAll("|", "\\|");

export function renderRevocationMarkdown(results: RevocationResults): string {
  const { header, rows } = lagRows(results);
  const md = (row: string[]) => `| ${row.map(cell).join(" | ")} |`;
  return [
    `# ${title(results)}`,
    "",
    LAG_METHOD,
    "",
    PROBE_METHOD(results.options.intervalMs),
    "",
    md(header),
    md(header.map(() => "---")),
    ...rows.map(md),
    "",
    ...notes(results).map((line) => `- ${line}`),
    "",
    "## Promised bounds",
    "",
    ...results.summaries.map((s) => `- ${s.mode}, ${s.role}: ${s.boundNote}`),
    "",
    "## Provenance",
    "",
    "```json",
    JSON.stringify(results.provenance, null, 2),
    "```",
    "",
  ].join("\n");
}
