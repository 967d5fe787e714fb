import { readFileSync } from "node:fs";
import { configInvalid, describeCause } from "../../lib/errors.js";
import { isObject } from "../report/read.js";

/**
 * How a server that does not speak our API logs a user in, checks a token, logs out and changes a
 * password: enough for the load and revocation benchmarks to drive it. Strings in `path`, `body`
 * and the token header may hold {username}, {password}, {newPassword} and {token}.
 */
export interface ApiDescription {
  login: LoginRequest;
  /** The header every request after the login carries the token in. */
  tokenHeader: { name: string; value: string };
  /** The request the load measures and the revocation benchmark probes. */
  protected: ApiRequest & {
    /** The statuses that say the token was refused (revoked, expired or unknown). */
    refused: number[];
  };
  /** null: the server has no logout, and the revocation benchmark's logout event cannot run. */
  logout: ApiRequest | null;
  passwordChange: ApiRequest | null;
}

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

export interface ApiRequest {
  method: Method;
  path: string;
  /** A JSON value sent as the body (its strings filled in); null: no body. */
  body: Json | null;
  /** Every status that says the request did what it was asked. */
  expect: number[];
}

export interface LoginRequest extends ApiRequest {
  /** Where the token is in the JSON response: a dotted path, "data.token". */
  token: string;
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Our own API, the description of every server that does not say otherwise. */
export const OUR_API: Readonly<ApiDescription> = Object.freeze<ApiDescription>({
  login: {
    method: "POST",
    path: "/token",
    body: { username: "{username}", password: "{password}" },
    expect: [200],
    token: "access_token",
  },
  tokenHeader: { name: "authorization", value: "Bearer {token}" },
  protected: { method: "GET", path: "/items/", body: null, expect: [200], refused: [401] },
  logout: { method: "POST", path: "/logout", body: {}, expect: [200, 204] },
  passwordChange: {
    method: "POST",
    path: "/user/password",
    body: { old_password: "{password}", new_password: "{newPassword}" },
    expect: [200, 204],
  },
});

export const isOurApi = (api: ApiDescription): boolean =>
  JSON.stringify(api) === JSON.stringify(OUR_API);

/** What the placeholders of one request stand for. */
export type Fill = Partial<Record<"username" | "password" | "newPassword" | "token", string>>;

const fillText = (text: string, fill: Fill): string =>
  text.replace(/\{(username|password|newPassword|token)\}/g, (whole, name: keyof Fill) => {
    const value = fill[name];
    return value === undefined ? whole : value;
  });

function fillJson(value: Json, fill: Fill): Json {
  if (typeof value === "string") return fillText(value, fill);
  if (Array.isArray(value)) return value.map((item) => fillJson(item, fill));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillJson(v, fill)]));
  }
  return value;
}

/** One request, ready to send: the token header when a token is given, JSON when there is a body. */
export interface BuiltRequest {
  method: Method;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export function buildRequest(api: ApiDescription, request: ApiRequest, fill: Fill): BuiltRequest {
  const headers: Record<string, string> = {};
  if (fill.token !== undefined)
    headers[api.tokenHeader.name] = fillText(api.tokenHeader.value, fill);
  if (request.body === null)
    return { method: request.method, path: fillText(request.path, fill), headers };
  headers["content-type"] = "application/json";
  return {
    method: request.method,
    path: fillText(request.path, fill),
    headers,
    body: JSON.stringify(fillJson(request.body, fill)),
  };
}

/** The token in a login's JSON response, or undefined when it is not a string at that path. */
export function tokenIn(api: ApiDescription, body: unknown): string | undefined {
  let at: unknown = body;
  for (const key of api.login.token.split(".")) {
    at = at !== null && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined;
  }
  return typeof at === "string" ? at : undefined;
}

type Check = (value: unknown, field: string) => void;

/** A bad field; checkApiDescription says which file it is in. */
const fail = (field: string, why: string): never => {
  throw new Error(`${field} ${why}`);
};
const statuses: Check = (value, field) => {
  const ok =
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((s) => Number.isInteger(s) && s >= 100 && s <= 599);
  if (!ok) fail(field, "must be a non-empty list of HTTP statuses, e.g. [200]");
};

function checkRequest(value: unknown, field: string, extra: Record<string, Check> = {}): void {
  if (!isObject(value)) fail(field, "must be an object with method, path, body and expect");
  const request = value as Record<string, unknown>;
  if (!METHODS.includes(request.method as Method))
    fail(`${field}.method`, `must be one of ${METHODS.join(", ")}`);
  if (typeof request.path !== "string" || !request.path.startsWith("/"))
    fail(`${field}.path`, 'must be a path starting with "/"');
  if (!("body" in request))
    fail(`${field}.body`, "is missing: give a JSON value, or null for none");
  statuses(request.expect, `${field}.expect`);
  for (const [key, check] of Object.entries(extra)) check(request[key], `${field}.${key}`);
  const known = new Set(["method", "path", "body", "expect", ...Object.keys(extra)]);
  for (const key of Object.keys(request))
    if (!known.has(key)) fail(`${field}.${key}`, "is not a field of a request");
}

const nonEmptyText: Check = (value, field) => {
  if (typeof value !== "string" || value === "") fail(field, "must be a non-empty string");
};

/** Validates a parsed description; throws ACB_CONFIG_INVALID naming `where` and the first bad field. */
export function checkApiDescription(json: unknown, where: string): ApiDescription {
  try {
    return checked(json);
  } catch (error) {
    throw configInvalid(`${where}: ${(error as Error).message}`);
  }
}

function checked(json: unknown): ApiDescription {
  if (!isObject(json)) fail("the description", "must be a JSON object");
  const api = json as Record<string, unknown>;
  checkRequest(api.login, "login", { token: nonEmptyText });
  if (!isObject(api.tokenHeader))
    fail("tokenHeader", 'must be {"name": "authorization", "value": "Bearer {token}"}');
  const header = api.tokenHeader as Record<string, unknown>;
  nonEmptyText(header.name, "tokenHeader.name");
  if (typeof header.value !== "string" || !header.value.includes("{token}"))
    fail("tokenHeader.value", "must be a string holding {token}");
  checkRequest(api.protected, "protected", { refused: statuses });
  for (const name of ["logout", "passwordChange"] as const) {
    if (!(name in api))
      fail(name, "is missing: give the request, or null when the server has none");
    if (api[name] !== null) checkRequest(api[name], name);
  }
  const known = new Set(["login", "tokenHeader", "protected", "logout", "passwordChange"]);
  for (const key of Object.keys(api))
    if (!known.has(key)) fail(key, "is not a field of an API description");
  return api as unknown as ApiDescription;
}

/** Reads and validates an API description file; every error names the file and the field. */
export function readApiDescription(file: string, flag = "--api"): ApiDescription {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw configInvalid(`${flag} ${file}: ${describeCause(error)}`);
  }
  return checkApiDescription(json, `${flag} ${file}`);
}
