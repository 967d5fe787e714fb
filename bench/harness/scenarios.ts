import { randomBytes } from "node:crypto";
import { type ApiDescription, buildRequest, type Method, OUR_API } from "./api-description.js";

export const SCENARIOS = [
  "read",
  "zipf",
  "mixed",
  "login",
  "invalid",
  "login-flood",
  "cold-start",
  "expiry",
] as const;
/** Scenarios that watch a cache fill or refill under load: Zipf traffic, a timeline in 100 ms bins. */
export const STAMPEDE_SCENARIOS: ReadonlySet<Scenario> = new Set(["cold-start", "expiry"]);
export type Scenario = (typeof SCENARIOS)[number];

/** A logged-in user the load can present. */
export interface Session {
  username: string;
  role: string;
  token: string;
}

export interface Credential {
  username: string;
  password: string;
}

/** One request of a scenario, and the status that proves it was answered correctly. */
export interface RequestSpec {
  method: Method;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The status that proves it was answered correctly, or every status that may. */
  expect: number | readonly number[];
}

/** Every status that proves a request was answered correctly. */
export const expects = (spec: RequestSpec): readonly number[] =>
  typeof spec.expect === "number" ? [spec.expect] : spec.expect;

export interface ScenarioPlan {
  /** The route the server-side figures are taken for. */
  describe: string;
  /**
   * Requests each connection cycles through. With `pick`, every request is drawn anew from
   * `pick(random)` instead, so that connections do not march through the same sequence in step.
   */
  requests: RequestSpec[];
  pick?: (random: () => number) => RequestSpec;
}

export interface ScenarioInput {
  sessions: Session[];
  /** Users with passwords, for the login scenario. */
  credentials: Credential[];
  /** An admin session, for the mixed scenario's writes. */
  admin: Session | undefined;
}

const json = { "content-type": "application/json" };
/** The API's protected request (our GET /items/) with a session's token. */
const checked =
  (api: ApiDescription) =>
  (session: Session): RequestSpec => ({
    ...buildRequest(api, api.protected, { username: session.username, token: session.token }),
    expect: api.protected.expect,
  });
const getItems = checked(OUR_API);

/** Cumulative Zipf(s = 1) weights: rank k is drawn with probability proportional to 1/k. */
function zipfSampler(n: number): (random: () => number) => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += 1 / (k + 1);
    cumulative[k] = total;
  }
  return (random) => {
    const target = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** Every mixed cycle of 20: 16 reads of /items/, 2 of /user/, 1 admin write (201), 1 refused write (403). */
function mixed(input: ScenarioInput): RequestSpec[] {
  if (!input.admin) throw new Error("the mixed scenario needs an admin user");
  const write = (session: Session, expect: number): RequestSpec => ({
    method: "POST",
    path: "/items/",
    headers: { ...json, authorization: `Bearer ${session.token}` },
    body: JSON.stringify({ name: "Benchmark item" }),
    expect,
  });
  const requests: RequestSpec[] = [];
  input.sessions.forEach((session, i) => {
    const slot = i % 20;
    if (slot === 18) requests.push(write(input.admin as Session, 201));
    else if (slot === 19) requests.push(write(session, 403));
    else if (slot >= 16) requests.push({ ...getItems(session), path: "/user/" });
    else requests.push(getItems(session));
  });
  return requests;
}

/** Scenarios that need our API's routes besides login and the protected one (admin writes, a flood). */
export const OUR_API_SCENARIOS: ReadonlySet<Scenario> = new Set(["mixed", "login-flood"]);

export function planScenario(
  scenario: Scenario,
  input: ScenarioInput,
  api: ApiDescription = OUR_API,
): ScenarioPlan {
  const route = `${api.protected.method} ${api.protected.path}`;
  const read = checked(api);
  switch (scenario) {
    case "read":
    // The read path is what a login flood is measured on; the flood is a plan of its own.
    case "login-flood":
      return { describe: route, requests: input.sessions.map(read) };
    // A cache filling (or refilling) under load: popular tokens first, as in real traffic.
    case "cold-start":
    case "expiry":
    case "zipf": {
      const rank = zipfSampler(input.sessions.length);
      // Built once per session: a draw is the generator's work on every request it sends.
      const requests = input.sessions.map(read);
      return {
        describe: `${route} (Zipf)`,
        requests: requests.slice(0, 1),
        pick: (random) => requests[rank(random)] as RequestSpec,
      };
    }
    case "mixed":
      return { describe: "mixed", requests: mixed(input) };
    case "login":
      return {
        describe: `${api.login.method} ${api.login.path}`,
        requests: input.credentials.map((user) => ({
          ...buildRequest(api, api.login, user),
          expect: api.login.expect,
        })),
      };
    case "invalid": {
      const forged = (): RequestSpec => ({
        ...read({ username: "", role: "user", token: randomBytes(32).toString("base64url") }),
        expect: api.protected.refused,
      });
      return { describe: `${route} (unknown tokens)`, requests: [forged()], pick: forged };
    }
  }
}

/**
 * What an attacker guessing one account's password sends. 401 (wrong password), 429 (throttled)
 * and 503 (hashing at its bound) are all answers the server may rightly give it.
 */
export function loginFloodPlan(username: string): ScenarioPlan {
  return {
    describe: "POST /token (wrong password)",
    requests: [
      {
        method: "POST",
        path: "/token",
        headers: json,
        body: JSON.stringify({ username, password: "not-the-password" }),
        expect: [401, 429, 503],
      },
    ],
  };
}
