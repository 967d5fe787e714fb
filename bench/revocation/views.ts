import type { ResultViews } from "../report/record.js";
import { summarizeRevocation } from "./derive.js";
import { renderRevocationHtml } from "./html.js";
import { renderRevocationMarkdown, renderRevocationTable } from "./render.js";
import type { RevocationResults } from "./schema.js";

export const revocationViews: ResultViews<RevocationResults> = {
  derive: (results) => {
    results.summaries = summarizeRevocation(results);
  },
  markdown: renderRevocationMarkdown,
  html: renderRevocationHtml,
  tables: (results) => `${renderRevocationTable(results)}\n`,
};
