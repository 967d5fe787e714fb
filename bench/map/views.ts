import type { ResultViews } from "../report/record.js";
import { crossovers } from "./derive.js";
import { renderMapHtml } from "./html.js";
import { renderMapMarkdown, renderMapTables } from "./render.js";
import type { MapResults } from "./schema.js";

export const mapViews: ResultViews<MapResults> = {
  derive: (results) => {
    results.crossovers = crossovers(results);
  },
  markdown: renderMapMarkdown,
  html: renderMapHtml,
  tables: renderMapTables,
};
