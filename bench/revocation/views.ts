import type { ResultViews } from "../report/record.js";
import { renderRevocationHtml } from "./html.js";
import { renderRevocationMarkdown, renderRevocationTable } from "./render.js";
import type { RevocationResults } from "./schema.js";
import { summarizeRevocation } from "./summarize.js";

export const revocationViews: ResultViews<RevocationResults> = {
  summarize: (results) => {
    results.summaries = summarizeRevocation(results);
  },
  markdown: renderRevocationMarkdown,
  html: renderRevocationHtml,
  tables: (results) => `${renderRevocationTable(results)}\n`,
};
