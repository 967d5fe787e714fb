import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** Report folders start with their UTC timestamp (see write.ts), so the newest sorts last. */
const REPORT_FOLDER = /^\d{4}-.*Z-/;

/**
 * The first value `accept` makes of a report folder's results.json, newest folder first, or null.
 * `accept` answers null for a folder of another kind, or one that does not fit; a file it cannot
 * read (a folder still being written) counts as not fitting.
 */
export async function newestReport<T>(
  out: string,
  accept: (file: string, folder: string) => Promise<T | null>,
): Promise<T | null> {
  const names = await readdir(out).catch(() => [] as string[]);
  for (const name of names
    .filter((n) => REPORT_FOLDER.test(n))
    .sort()
    .reverse()) {
    const folder = join(out, name);
    const found = await accept(join(folder, "results.json"), folder).catch(() => null);
    if (found !== null) return found;
  }
  return null;
}
