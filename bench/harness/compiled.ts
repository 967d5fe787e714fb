import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The compiled file `relative` to the module at `moduleUrl`. A child process or worker thread
 * runs JavaScript: run from source (the tests), the module finds its sibling under dist/, which
 * `npm test` builds first.
 */
export function compiled(moduleUrl: string, relative: string): string {
  const here = dirname(fileURLToPath(moduleUrl));
  const file = resolve(here, relative);
  if (here.split(sep).includes("dist")) return file;
  const root = resolve(fileURLToPath(new URL("../../", import.meta.url)));
  return resolve(root, "dist", file.slice(root.length + 1));
}
