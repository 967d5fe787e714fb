import { mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";

export interface ReportFolder {
  dir: string;
  /** Replaces a file in one step, so an interrupted benchmark never leaves half a file. */
  write(name: string, content: string): Promise<void>;
}

/** Replaces a file in one step, so an interrupted writer never leaves half a file. */
export async function replaceFile(target: string, content: string): Promise<void> {
  const temporary = `${target}.${process.pid}.tmp`;
  await writeFile(temporary, content);
  await rename(temporary, target);
}

const stamp = (date: Date) =>
  date
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(":", "-");

/** reports/<timestamp>-<kind>/, with reports/latest pointing at it from the start. */
export async function createReportFolder(
  out: string,
  kind: string,
  now = new Date(),
): Promise<ReportFolder> {
  const dir = join(out, `${stamp(now)}-${kind}`);
  await mkdir(dir, { recursive: true });
  const latest = join(out, "latest");
  const temporary = `${latest}.${process.pid}`;
  await rm(temporary, { force: true });
  await symlink(basename(dir), temporary);
  await rename(temporary, latest);
  return {
    dir,
    write: (name, content) => replaceFile(join(dir, name), content),
  };
}
