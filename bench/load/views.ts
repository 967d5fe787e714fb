import type { ResultViews } from "../report/record.js";
import {
  summarizeFaults,
  summarizeFloods,
  summarizeModes,
  summarizePinning,
  summarizeStampedes,
} from "./derive.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import type { LoadResults } from "./schema.js";
import { renderTables } from "./terminal.js";

export const loadViews: ResultViews<LoadResults> = {
  derive: (results) => {
    results.summaries = summarizeModes(results);
    results.floods = summarizeFloods(results);
    results.pinning = summarizePinning(results);
    results.stampedes = summarizeStampedes(results);
    results.faults = summarizeFaults(results);
  },
  markdown: renderMarkdown,
  html: renderHtml,
  tables: (results) => `${renderTables(results)}\n`,
};
