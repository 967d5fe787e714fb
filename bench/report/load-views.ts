import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import type { ResultViews } from "./record.js";
import type { LoadResults } from "./schema.js";
import { summarizeModes } from "./summarize.js";
import { renderTables } from "./table.js";

export const loadViews: ResultViews<LoadResults> = {
  summarize: (results) => {
    results.summaries = summarizeModes(results);
  },
  markdown: renderMarkdown,
  html: renderHtml,
  tables: (results) => `${renderTables(results)}\n`,
};
