import type { ResultViews } from "../report/record.js";
import { renderAbHtml } from "./html.js";
import { renderAbMarkdown, renderAbTables } from "./render.js";
import type { AbResults } from "./schema.js";

export const abViews: ResultViews<AbResults> = {
  markdown: renderAbMarkdown,
  html: renderAbHtml,
  tables: renderAbTables,
};
