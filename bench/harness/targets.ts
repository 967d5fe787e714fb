import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { configInvalid, describeCause } from "../../lib/errors.js";
import { urlWithScheme } from "../../lib/option-table.js";
import { isObject } from "../report/read.js";
import { type ApiDescription, checkApiDescription, readApiDescription } from "./api-description.js";

/** A server the benchmark does not start: the user's, or ours started by hand elsewhere. */
export interface Target {
  name: string;
  url: string;
  /** How to drive it; null: our own API. */
  api: ApiDescription | null;
  /** Its Prometheus metrics: where, and the counter of the requests it answered. */
  metrics: { url: string; requests: string } | null;
  /** Its process on this machine: CPU from /proc/<pid>/stat, memory sampled; null: elsewhere. */
  pid: number | null;
}

/** The name an unnamed `--target URL` gets, as results before several targets named it. */
export const UNNAMED_TARGET = "target";
const NAME = /^[a-z0-9][a-z0-9._-]{0,31}$/i;

function checkName(name: string, where: string, reserved: readonly string[]): void {
  if (!NAME.test(name))
    throw configInvalid(`${where}: "${name}" is not a name (letters, digits, . _ -; at most 32)`);
  if (reserved.includes(name))
    throw configInvalid(`${where}: "${name}" is a mode's name; call the target something else`);
}

const checkUrl = (url: string, where: string) => {
  const problem = urlWithScheme("http:", "https:")(url);
  if (problem) throw configInvalid(`${where} ${problem}`);
};

/** `--target NAME=URL`, or `--target URL` for one unnamed target. */
export function parseTargetFlag(raw: string, reserved: readonly string[]): Target {
  const at = raw.indexOf("=");
  const named = at > 0 && !raw.slice(0, at).includes(":");
  const name = named ? raw.slice(0, at) : UNNAMED_TARGET;
  const url = (named ? raw.slice(at + 1) : raw).replace(/\/+$/, "");
  checkName(name, "--target", reserved);
  checkUrl(url, "--target");
  return { name, url, api: null, metrics: null, pid: null };
}

/**
 * `--targets FILE`: [{"name", "url", "api"?, "metrics"?: {"url", "requests"}, "pid"?}]; "api" is
 * a description or a file beside the targets file. Every error names the file and the field.
 */
export function readTargetsFile(file: string, reserved: readonly string[]): Target[] {
  const where = (field: string) => `--targets ${file}: ${field}`;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw configInvalid(`--targets ${file}: ${describeCause(error)}`);
  }
  if (!Array.isArray(json) || json.length === 0)
    throw configInvalid(`--targets ${file}: must be a non-empty JSON list of targets`);
  const targets: Target[] = [];
  for (const [i, entry] of json.entries()) {
    const at = `[${i}]`;
    if (!isObject(entry)) throw configInvalid(where(`${at} must be an object with name and url`));
    for (const key of Object.keys(entry)) {
      if (!["name", "url", "api", "metrics", "pid"].includes(key))
        throw configInvalid(
          where(`${at}.${key} is not a target's field (name, url, api, metrics, pid)`),
        );
    }
    if (typeof entry.name !== "string") throw configInvalid(where(`${at}.name must be a string`));
    checkName(entry.name, where(`${at}.name`), reserved);
    if (typeof entry.url !== "string") throw configInvalid(where(`${at}.url must be a string`));
    const url = entry.url.replace(/\/+$/, "");
    checkUrl(url, where(`${at}.url`));
    targets.push({
      name: entry.name,
      url,
      api: apiOf(entry.api, file, where(`${at}.api`)),
      metrics: metricsOf(entry.metrics, where(`${at}.metrics`)),
      pid: pidOf(entry.pid, where(`${at}.pid`)),
    });
  }
  return targets;
}

function apiOf(value: unknown, file: string, where: string): ApiDescription | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return readApiDescription(resolve(dirname(file), value), where);
  return checkApiDescription(value, where);
}

function metricsOf(value: unknown, where: string): Target["metrics"] {
  if (value === undefined || value === null) return null;
  const ok =
    isObject(value) &&
    typeof value.url === "string" &&
    typeof value.requests === "string" &&
    value.requests !== "";
  if (!ok) {
    throw configInvalid(
      `${where} must be {"url": "http://host/metrics", "requests": "http_requests_total"}`,
    );
  }
  checkUrl(value.url as string, `${where}.url`);
  return { url: value.url as string, requests: value.requests as string };
}

function pidOf(value: unknown, where: string): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || (value as number) < 1)
    throw configInvalid(`${where} must be a process id (a positive integer)`);
  return value as number;
}

/** Names must tell the targets apart, and the reference must be one of them. */
export function checkTargets(targets: readonly Target[], reference: string | null): void {
  const seen = new Set<string>();
  for (const { name } of targets) {
    if (seen.has(name))
      throw configInvalid(`--target: two targets are called ${name}; name each (NAME=URL)`);
    seen.add(name);
  }
  if (reference !== null && !seen.has(reference)) {
    throw configInvalid(
      `--reference ${reference}: no target has that name (${[...seen].join(", ") || "none given"})`,
    );
  }
}
