import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KINDS } from "../bench/kinds.js";
import { renderHtml } from "../bench/load/html.js";
import { renderMarkdown } from "../bench/load/markdown.js";
import type { LoadResults } from "../bench/load/schema.js";
import { renderTables } from "../bench/load/terminal.js";
import { renderMicroHtml } from "../bench/micro/html.js";
import { renderMicroMarkdown, renderMicroTables } from "../bench/micro/render.js";
import { MICRO_SCHEMA_VERSION } from "../bench/micro/schema.js";
import { reportCommand } from "../bench/report/command.js";
import { summarizeRevocation } from "../bench/revocation/derive.js";
import { renderRevocationHtml } from "../bench/revocation/html.js";
import { renderRevocationMarkdown, renderRevocationTable } from "../bench/revocation/render.js";
import { REVOCATION_SCHEMA_VERSION } from "../bench/revocation/schema.js";
import {
  asCapacity,
  asOpenLoop,
  handMadeResults,
  NONE,
  steady,
} from "./fixtures/hand-made-results.js";
import { loadFixture } from "./fixtures/load-fixture.js";
import { handMadeMicro } from "./fixtures/micro-results.js";
import { handMadeRevocation } from "./fixtures/revocation-results.js";

// Debian's own package: no browser download, so the test runs on an air-gapped machine too.
const BROWSER = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const REQUIRED = process.env.REQUIRE_BROWSER === "1";
const PRESENT = existsSync(BROWSER);
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const LAPTOP = { width: 1366, height: 768 };
const CHARTS = ["fig-throughput", "fig-latency", "fig-cpu", "fig-hit-ratio"];
const REVOCATION_CHARTS = [
  "fig-lag-other",
  "fig-lag-revoking",
  "fig-stale",
  "fig-lag-vs-throughput",
];

if (!PRESENT && !REQUIRED) {
  process.stderr.write(
    `\n!!! No Chromium at ${BROWSER}: the HTML report tests in a real browser are SKIPPED.\n` +
      "!!! Install it with `apt-get install chromium` (or set CHROMIUM_PATH); CI sets REQUIRE_BROWSER=1.\n\n",
  );
}

const FIXTURE: LoadResults = loadFixture();

const quiet = { out: () => {}, err: () => {} };

interface Opened {
  page: Page;
  errors: string[];
  /** Every URL the page asked for: only its own file: URL is allowed. */
  requests: string[];
}

describe.skipIf(!PRESENT && !REQUIRED)("report.html in headless Chromium", () => {
  let dir: string;
  let context: BrowserContext;

  beforeAll(async () => {
    if (!PRESENT) {
      throw new Error(
        `REQUIRE_BROWSER=1 but there is no browser at ${BROWSER}: apt-get install chromium`,
      );
    }
    dir = await mkdtemp(join(tmpdir(), "acb-html-"));
    context = await chromium.launchPersistentContext(join(dir, "profile"), {
      executablePath: BROWSER,
      args: ARGS,
      viewport: LAPTOP,
    });
  }, 60_000);
  afterAll(async () => {
    await context?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function open(file: string): Promise<Opened> {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") {
        errors.push(`${message.type()}: ${message.text()}`);
      }
    });
    page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    return { page, errors, requests };
  }

  async function folderWith(name: string, results: object): Promise<string> {
    const folder = join(dir, name);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "results.json"), JSON.stringify(results));
    return folder;
  }

  async function chartBoxes(page: Page) {
    return page.$$eval("figure", (figures) =>
      figures.map((figure) => {
        const svg = figure.querySelector("svg.chart");
        const box = svg?.getBoundingClientRect();
        return {
          id: figure.id,
          width: box?.width ?? 0,
          height: box?.height ?? 0,
          ticks: svg?.querySelectorAll(".axis text").length ?? 0,
          legend: svg?.querySelectorAll(".legend text").length ?? 0,
        };
      }),
    );
  }

  /** Every chart `ids` names, in that order, drawn full size with axes and a legend. */
  async function expectCharts(page: Page, ids: readonly string[]) {
    const charts = await chartBoxes(page);
    expect(charts.map((c) => c.id)).toEqual(ids);
    for (const chart of charts) {
      expect(chart.width, chart.id).toBeGreaterThan(300);
      expect(chart.height, chart.id).toBeGreaterThan(100);
      expect(chart.ticks, chart.id).toBeGreaterThanOrEqual(4);
      expect(chart.legend, chart.id).toBeGreaterThanOrEqual(2);
    }
  }

  it("draws capacity bars and latency–throughput curves for --capacity, response times for --rate", async () => {
    const closed = handMadeResults({
      ceiling: steady({ ...NONE, rps: 40_000 }),
      none: steady(NONE),
    });
    for (const [name, results, expected] of [
      [
        "capacity",
        asCapacity(closed),
        ["fig-capacity", "fig-latency-throughput", "fig-cpu", "fig-hit-ratio"],
      ],
      ["open", asOpenLoop(closed, 5000), ["fig-latency", "fig-cpu", "fig-hit-ratio"]],
    ] as const) {
      const folder = await folderWith(name, results);
      expect(await reportCommand(KINDS, [folder], quiet)).toBe(0);
      const { page, errors } = await open(join(folder, "report.html"));
      await expectCharts(page, expected);
      if (name === "capacity") {
        // One line per mode and round for p99 and for p50, the SLO line, a capacity tick per mode.
        const curves = await page.$$eval("#fig-latency-throughput .series path", (p) => p.length);
        expect(curves).toBe(2 * 2 * results.options.runs);
        expect(await page.$$eval("#fig-latency-throughput .mark", (m) => m.length)).toBe(2);
        expect(await page.textContent("#fig-latency-throughput")).toContain("SLO p99 5.00 ms");
      }
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it("renders every chart with axes and a legend, and logs no error, from results.json alone", async () => {
    const folder = await folderWith("fixture", FIXTURE);
    expect(await reportCommand(KINDS, [folder], quiet)).toBe(0);
    const html = await readFile(join(folder, "report.html"), "utf8");
    expect(html).toBe(renderHtml(FIXTURE));
    expect(await readFile(join(folder, "report.md"), "utf8")).toContain("## Claims");

    const { page, errors, requests } = await open(join(folder, "report.html"));
    await expectCharts(page, CHARTS);
    // The latency chart is on a log scale: its ticks step by 1-2-5 within a decade.
    const latencyTicks = await page.$$eval("#fig-latency .axis.y text", (texts) =>
      texts.map((t) => t.textContent),
    );
    expect(latencyTicks).toEqual(expect.arrayContaining(["1.00 ms", "2.00 ms", "5.00 ms"]));
    expect(await page.locator("table.claims .verdict").count()).toBe(6 * 2);
    expect(await page.$$eval("main > section", (s) => s.map((x) => x.id))).toEqual([
      "claims",
      "charts",
      "tables",
      "verdict",
      "warnings",
      "method",
      "provenance",
    ]);
    // Fits a laptop screen: nothing wider than the window.
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(
      LAPTOP.width,
    );
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(join(folder, "report.html")).href]);
    if (process.env.REPORT_SCREENSHOT) {
      await page.screenshot({ path: process.env.REPORT_SCREENSHOT, fullPage: true });
    }
    await page.close();
  });

  it.each([
    ["load", FIXTURE],
    ["revocation", handMadeRevocation()],
    ["micro", handMadeMicro()],
  ] as const)("prints: every chart keeps its size on paper (%s)", async (kind, results) => {
    const folder = await folderWith(`print-${kind}`, results);
    await reportCommand(KINDS, [folder], quiet);
    const { page, errors } = await open(join(folder, "report.html"));
    await page.emulateMedia({ media: "print" });
    for (const chart of await chartBoxes(page)) expect(chart.width, chart.id).toBeGreaterThan(300);
    const pdf = await page.pdf({ format: "A4" });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("shows text from the results as text, never as markup", async () => {
    const results = structuredClone(FIXTURE);
    results.provenance.machine.cpuModel = `<script>window.pwned = 1</script>"'&`;
    const invalid = results.runs.find((run) => run.status !== "ok");
    invalid?.reasons.push(`<img src=x onerror="window.pwned = 2">`);
    results.options.out = "reports/<b>bold</b>";
    const folder = await folderWith("hostile", results);
    await reportCommand(KINDS, [folder], quiet);
    const { page, errors } = await open(join(folder, "report.html"));
    expect(await page.locator("script, img, b").count()).toBe(0);
    expect(await page.evaluate("window.pwned")).toBeUndefined();
    const text = (await page.locator("body").textContent()) ?? "";
    expect(text).toContain(`<script>window.pwned = 1</script>"'&`);
    expect(text).toContain(`<img src=x onerror="window.pwned = 2">`);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("still renders every chart when modes were skipped, failed or had no cache", async () => {
    const results = structuredClone(FIXTURE);
    results.skipped.push({ mode: "redis", reason: "no Redis" });
    results.runs = results.runs.filter((run) => run.mode !== "redis");
    for (const run of results.runs) {
      if (run.mode === "memory") {
        run.status = "failed";
        run.reasons = ["server crashed"];
      }
    }
    results.options.modes = ["ceiling", "none", "memory"];
    results.summaries = results.summaries.filter((s) => s.mode !== "redis");
    for (const s of results.summaries) {
      if (s.mode !== "memory") continue;
      Object.assign(s, {
        validRuns: 0,
        rps: null,
        latencyUs: null,
        serverCpuUsPerRequest: null,
        hitRatio: null,
        vsBaseline: null,
        vsCeiling: null,
      });
    }
    const folder = await folderWith("partial", { ...results, status: "interrupted" });
    await reportCommand(KINDS, [folder], quiet);
    const { page, errors } = await open(join(folder, "report.html"));
    const charts = await chartBoxes(page);
    expect(charts.map((c) => c.id)).toEqual(CHARTS);
    for (const chart of charts) expect(chart.height, chart.id).toBeGreaterThan(50);
    const text = (await page.locator("body").textContent()) ?? "";
    expect(text).toContain("no valid runs (5 ran)");
    expect(text).toContain("interrupted: results are partial");
    expect(errors).toEqual([]);
    await page.close();
  });
  /** The tick labels of every chart's value axis, none of them overlapping the next. */
  async function tickLabels(page: Page): Promise<Record<string, string[]>> {
    const axes = await page.$$eval("figure", (figures) =>
      figures.map((figure) => {
        // The axis title comes last, under the tick labels.
        const texts = [...figure.querySelectorAll(".axis.x text")].slice(0, -1);
        const boxes = texts.map((t) => t.getBoundingClientRect());
        const overlaps = boxes.some((box, i) => i > 0 && (boxes[i - 1]?.right ?? 0) > box.left);
        return { id: figure.id, labels: texts.map((t) => t.textContent ?? ""), overlaps };
      }),
    );
    for (const axis of axes) expect(axis.overlaps, axis.id).toBe(false);
    return Object.fromEntries(axes.map((axis) => [axis.id, axis.labels]));
  }

  const rowTexts = (page: Page, figure: string) =>
    page.$$eval(`#${figure} .row`, (rows) =>
      rows.map((row) => [...row.querySelectorAll("text")].map((t) => t.textContent ?? "")),
    );

  it("renders the revocation page: lag on a log scale, stale accepts from 0, lag against throughput", async () => {
    const results = handMadeRevocation();
    const folder = await folderWith("revocation", results);
    expect(await reportCommand(KINDS, [folder], quiet)).toBe(0);
    expect(await readFile(join(folder, "report.html"), "utf8")).toBe(renderRevocationHtml(results));

    const { page, errors, requests } = await open(join(folder, "report.html"));
    const charts = await chartBoxes(page);
    expect(charts.map((c) => c.id)).toEqual(REVOCATION_CHARTS);
    for (const chart of charts) {
      expect(chart.width, chart.id).toBeGreaterThan(300);
      expect(chart.height, chart.id).toBeGreaterThan(100);
      expect(chart.ticks, chart.id).toBeGreaterThanOrEqual(4);
    }
    // Lag spans 0.1 ms to 2 s: a log scale, labelled by decade.
    const ticks = await tickLabels(page);
    expect(ticks["fig-lag-other"]).toEqual(["100 µs", "1.00 ms", "10.0 ms", "100 ms", "1.00 s"]);
    // Every mode on both roles.
    const rows = 2 * results.options.modes.length;
    expect(await rowTexts(page, "fig-lag-other")).toHaveLength(rows);
    // Every mode on both roles, and no stale accept reads as 0, not as a missing bar.
    const memoryStale = results.summaries
      .filter((s) => s.mode === "memory" && s.role === "other")
      .reduce((sum, s) => sum + s.staleAccepts, 0);
    const stale = await rowTexts(page, "fig-stale");
    expect(stale).toHaveLength(rows);
    expect(stale).toContainEqual(["memory · others", memoryStale.toLocaleString("en-US")]);
    // Accepted after the revocation: memory's and jwt-version's others, and a plain JWT anywhere.
    const exposed = results.summaries.filter((s) => s.event === "logout" && s.staleAccepts > 0);
    expect(exposed.map((s) => `${s.mode} ${s.role}`)).toEqual([
      "memory other",
      "jwt-es256 revoking",
      "jwt-es256 other",
      "jwt-version other",
    ]);
    expect(stale.filter(([, count]) => count === "0")).toHaveLength(rows - exposed.length);
    const points = await page.$$eval("#fig-lag-vs-throughput .point text", (texts) =>
      texts.map((t) => t.textContent),
    );
    expect(points).toEqual(["none", "memory", "redis"]);
    expect(await page.$$eval("main > section", (s) => s.map((x) => x.id))).toEqual([
      "charts",
      "table",
      "notes",
      "bounds",
      "method",
      "provenance",
    ]);
    expect(await page.locator("#table tbody tr").count()).toBe(results.summaries.length);
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(
      LAPTOP.width,
    );
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(join(folder, "report.html")).href]);
    await page.close();
  });

  it("still renders the revocation page when tokens were never revoked and no load report ran", async () => {
    const results = handMadeRevocation();
    results.lagVsThroughput = [];
    for (const trial of results.trials) {
      if (trial.mode !== "tiered") continue;
      for (const probe of trial.instances) if (!probe.revoking) probe.lagMs = null;
    }
    results.summaries = summarizeRevocation(results);
    const folder = await folderWith("revocation-partial", { ...results, status: "interrupted" });
    expect(await reportCommand(KINDS, [folder], quiet)).toBe(0);
    const { page, errors } = await open(join(folder, "report.html"));
    const charts = await chartBoxes(page);
    expect(charts.map((c) => c.id)).toEqual(REVOCATION_CHARTS.slice(0, 3));
    for (const chart of charts) expect(chart.height, chart.id).toBeGreaterThan(100);
    expect(await rowTexts(page, "fig-lag-other")).toContainEqual([
      "tiered · logout",
      "never 401 within the bound (8 of 8)",
    ]);
    const text = (await page.locator("header").textContent()) ?? "";
    expect(text).toContain("interrupted: results are partial");
    expect(text).toContain("16 probes never got 401 within the bound: a correctness failure");
    expect(errors).toEqual([]);
    await page.close();
  });

  it("renders the micro page: a chart per suite on a log scale, the cost of one request", async () => {
    const results = handMadeMicro();
    const folder = await folderWith("micro", results);
    expect(await reportCommand(KINDS, [folder], quiet)).toBe(0);
    expect(await readFile(join(folder, "report.html"), "utf8")).toBe(renderMicroHtml(results));

    const { page, errors, requests } = await open(join(folder, "report.html"));
    const charts = await chartBoxes(page);
    expect(charts.map((c) => c.id)).toEqual(results.suites.map((suite) => `fig-${suite.name}`));
    for (const chart of charts) {
      expect(chart.width, chart.id).toBeGreaterThan(300);
      expect(chart.height, chart.id).toBeGreaterThan(100);
      expect(chart.ticks, chart.id).toBeGreaterThanOrEqual(3);
      expect(chart.legend, chart.id).toBe(2);
    }
    // From 100 ns to 230 ms, each suite on its own log scale.
    const ticks = await tickLabels(page);
    expect(ticks["fig-token"]).toContain("100 ns");
    expect(ticks["fig-password"]).toEqual(expect.arrayContaining(["1.00 ms", "100 ms"]));
    const cache = await rowTexts(page, "fig-cache");
    expect(cache).toContainEqual([
      "memory invalidate 1 (logout)",
      "failed: expected a miss, got a hit",
    ]);
    expect(cache).toContainEqual(["redis get (hit)", "39.0 µs"]);
    expect(await page.$$eval("main > section", (s) => s.map((x) => x.id))).toEqual([
      "charts",
      "cost",
      "footprint",
      "tables",
      "skipped",
      "method",
      "provenance",
    ]);
    expect(await page.locator("#cost tbody tr").count()).toBe(results.requestCost.length);
    expect(await page.locator("#footprint tbody tr").count()).toBe(results.footprint.length);
    const text = (await page.locator("body").textContent()) ?? "";
    expect(text).toContain("PostgreSQL lookups (store suite): cannot reach PostgreSQL");
    expect(text).not.toContain("secret");
    expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(
      LAPTOP.width,
    );
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(join(folder, "report.html")).href]);
    await page.close();
  });

  it("shows text from revocation and micro results as text, never as markup", async () => {
    const revocation = handMadeRevocation();
    revocation.skipped.push({ mode: "redis", reason: `<img src=x onerror="window.pwned = 1">` });
    revocation.provenance.machine.cpuModel = `<script>window.pwned = 2</script>"'&`;
    const micro = handMadeMicro();
    const first = micro.suites[0]?.tasks[0];
    if (first) first.name = `<b>bold</b> <script>window.pwned = 3</script>`;
    for (const [name, results, hostile] of [
      ["revocation-hostile", revocation, `<img src=x onerror="window.pwned = 1">`],
      ["micro-hostile", micro, `<b>bold</b> <script>window.pwned = 3</script>`],
    ] as const) {
      const folder = await folderWith(name, results);
      await reportCommand(KINDS, [folder], quiet);
      const { page, errors } = await open(join(folder, "report.html"));
      expect(await page.locator("script, img, b").count(), name).toBe(0);
      expect(await page.evaluate("window.pwned"), name).toBeUndefined();
      expect((await page.locator("body").textContent()) ?? "", name).toContain(hostile);
      expect(errors, name).toEqual([]);
      await page.close();
    }
  });
});

describe("npm run report: any benchmark's results.json", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "acb-report-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function folderWith(name: string, results: object): Promise<string> {
    const folder = join(dir, name);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "results.json"), JSON.stringify(results));
    return folder;
  }

  /** What the command printed and wrote, from the results.json alone. */
  async function rerender(name: string, results: object) {
    const folder = await folderWith(name, results);
    let out = "";
    const code = await reportCommand(KINDS, [folder], {
      out: (text) => (out += text),
      err: () => {},
    });
    const read = (file: string) => readFile(join(folder, file), "utf8");
    return { code, out, markdown: await read("report.md"), html: await read("report.html") };
  }

  it("renders a load benchmark's", async () => {
    expect(await rerender("load", FIXTURE)).toEqual({
      code: 0,
      out: `${renderTables(FIXTURE)}\n`,
      markdown: renderMarkdown(FIXTURE),
      html: renderHtml(FIXTURE),
    });
  });

  it("renders a revocation benchmark's, summarizing one that was killed before it could", async () => {
    const results = handMadeRevocation();
    const views = (r: typeof results) => ({
      code: 0,
      out: `${renderRevocationTable(r)}\n`,
      markdown: renderRevocationMarkdown(r),
      html: renderRevocationHtml(r),
    });
    expect(await rerender("revocation", results)).toEqual(views(results));
    const killed = { ...results, status: "running" as const };
    expect(await rerender("revocation-killed", { ...killed, summaries: [] })).toEqual(
      views(killed),
    );
  });

  it("renders a version 1 load results file as the upgraded results", async () => {
    const v1 = JSON.parse(
      readFileSync(new URL("./fixtures/load-results.json", import.meta.url), "utf8"),
    );
    expect(v1.version).toBe(1);
    // A machine not named then is not named now.
    expect(FIXTURE.provenance.machine.hostname).toBeNull();
    expect(await rerender("load-v1", v1)).toEqual({
      code: 0,
      out: `${renderTables(FIXTURE)}\n`,
      markdown: renderMarkdown(FIXTURE),
      html: renderHtml(FIXTURE),
    });
  });

  it("renders a micro benchmark's", async () => {
    const results = handMadeMicro();
    expect(await rerender("micro", results)).toEqual({
      code: 0,
      out: renderMicroTables(results),
      markdown: renderMicroMarkdown(results),
      html: renderMicroHtml(results),
    });
  });

  it("renders an older version of a kind's results through its upgrades", async () => {
    // Version 1 did not weigh cache entries: its upgrade adds none.
    const results = { ...handMadeMicro(), footprint: [] };
    const { footprint: _, ...v1 } = { ...results, version: 1 };
    expect(await rerender("micro-v1", v1)).toEqual({
      code: 0,
      out: renderMicroTables(results),
      markdown: renderMicroMarkdown(results),
      html: renderMicroHtml(results),
    });
    const folder = await folderWith("micro-v0", { ...results, version: 0 });
    await expect(reportCommand(KINDS, [folder], quiet)).rejects.toMatchObject({
      code: "ACB_RESULTS_INVALID",
      message: expect.stringContaining(
        `results version 0; this tool reads version ${MICRO_SCHEMA_VERSION}`,
      ),
    });
  });

  it("refuses an unknown schema, and results it cannot render whole, naming the file", async () => {
    const revocation = handMadeRevocation();
    const { suites: _, ...noSuites } = handMadeMicro();
    const cases: [string, object, string][] = [
      ["unknown", { schema: "auth-cache-bench/other", version: 1 }, "unknown schema"],
      ["no-schema", { version: 1 }, "unknown schema undefined"],
      [
        "revocation-from-the-future",
        { ...revocation, version: REVOCATION_SCHEMA_VERSION + 1 },
        `results version ${REVOCATION_SCHEMA_VERSION + 1}; this tool reads version ${REVOCATION_SCHEMA_VERSION}`,
      ],
      ["micro-no-suites", noSuites, "suites must be arrays"],
    ];
    for (const [name, results, reason] of cases) {
      const folder = await folderWith(name, results);
      const file = join(folder, "results.json");
      await expect(reportCommand(KINDS, [folder], quiet), name).rejects.toMatchObject({
        code: "ACB_RESULTS_INVALID",
        message: expect.stringContaining(`${file}: ${reason}`),
      });
      expect(existsSync(join(folder, "report.html")), name).toBe(false);
    }
  });
});
