import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reportCommand } from "../bench/report/command.js";
import { renderHtml } from "../bench/report/html.js";
import type { LoadResults } from "../bench/report/schema.js";

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

if (!PRESENT && !REQUIRED) {
  process.stderr.write(
    `\n!!! No Chromium at ${BROWSER}: the HTML report tests in a real browser are SKIPPED.\n` +
      "!!! Install it with `apt-get install chromium` (or set CHROMIUM_PATH); CI sets REQUIRE_BROWSER=1.\n\n",
  );
}

const FIXTURE: LoadResults = JSON.parse(
  readFileSync(new URL("./fixtures/load-results.json", import.meta.url), "utf8"),
);

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

  async function folderWith(name: string, results: LoadResults): Promise<string> {
    const folder = join(dir, name);
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, "results.json"), JSON.stringify(results));
    return folder;
  }

  const quiet = { out: () => {}, err: () => {} };

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

  it("renders every chart with axes and a legend, and logs no error, from results.json alone", async () => {
    const folder = await folderWith("fixture", FIXTURE);
    expect(await reportCommand([folder], quiet)).toBe(0);
    const html = await readFile(join(folder, "report.html"), "utf8");
    expect(html).toBe(renderHtml(FIXTURE));
    expect(await readFile(join(folder, "report.md"), "utf8")).toContain("## Claims");

    const { page, errors, requests } = await open(join(folder, "report.html"));
    const charts = await chartBoxes(page);
    expect(charts.map((c) => c.id)).toEqual(CHARTS);
    for (const chart of charts) {
      expect(chart.width, chart.id).toBeGreaterThan(300);
      expect(chart.height, chart.id).toBeGreaterThan(100);
      expect(chart.ticks, chart.id).toBeGreaterThanOrEqual(4);
      expect(chart.legend, chart.id).toBeGreaterThanOrEqual(2);
    }
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

  it("prints: every chart keeps its size on paper", async () => {
    const folder = await folderWith("print", FIXTURE);
    await reportCommand([folder], quiet);
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
    await reportCommand([folder], quiet);
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
        vsNone: null,
        vsCeiling: null,
      });
    }
    const folder = await folderWith("partial", { ...results, status: "interrupted" });
    await reportCommand([folder], quiet);
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
});
