import type { ResultViews } from "../report/record.js";
import { renderMicroHtml } from "./html.js";
import { renderMicroMarkdown, renderMicroTables } from "./render.js";
import type { MicroResults } from "./schema.js";

export const microViews: ResultViews<MicroResults> = {
  // No derive: the cost of one request is added up as each suite finishes.
  markdown: renderMicroMarkdown,
  html: renderMicroHtml,
  tables: renderMicroTables,
};
