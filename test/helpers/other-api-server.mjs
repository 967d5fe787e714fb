// A server that does not speak our API, for the tests of targets and --probe: plain node:http, its
// own routes, statuses, token header and Prometheus names. It listens on one port per instance
// (--instances N); the first sees a revocation at once, the others --lag-ms later, as the
// instances of a deployment that cache a token's check would.
// Usage: node other-api-server.mjs USERS.json [--instances N] [--lag-ms MS] [--host H]
// Prints one JSON line: {"urls": [...], "pid": N}.

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const [usersFile, ...rest] = process.argv.slice(2);
const flag = (name, fallback) => {
  const at = rest.indexOf(`--${name}`);
  return at >= 0 ? rest[at + 1] : fallback;
};
const instances = Number(flag("instances", "1"));
const lagMs = Number(flag("lag-ms", "0"));
const host = flag("host", "127.0.0.1");

const passwords = new Map(
  Object.entries(JSON.parse(readFileSync(usersFile, "utf8"))).map(([name, u]) => [
    name,
    u.password,
  ]),
);
/** token → username, for live tokens. */
const sessions = new Map();
/** token → [username, when it was revoked]: the lagging instances still accept it for lagMs. */
const revoked = new Map();
const end = (token) => {
  revoked.set(token, [sessions.get(token), Date.now()]);
  sessions.delete(token);
};
const userOf = (instance, token) => {
  const live = sessions.get(token);
  if (live || instance === 0) return live;
  const [name, at] = revoked.get(token) ?? [];
  return at !== undefined && Date.now() - at < lagMs ? name : undefined;
};
let served = 0;

const body = (request) =>
  new Promise((resolve) => {
    let text = "";
    request.on("data", (chunk) => (text += chunk));
    request.on("end", () => {
      try {
        resolve(JSON.parse(text || "{}"));
      } catch {
        resolve({});
      }
    });
  });

const send = (response, status, json) => {
  response.writeHead(status, json === undefined ? {} : { "content-type": "application/json" });
  response.end(json === undefined ? undefined : JSON.stringify(json));
};

function handler(instance) {
  return async (request, response) => {
    const header = request.headers["x-session"] ?? "";
    const token = header.startsWith("Token ") ? header.slice(6) : "";
    const user = userOf(instance, token);
    const route = `${request.method} ${request.url}`;
    if (route === "POST /auth/login") {
      const { user: name, pass } = await body(request);
      if (passwords.get(name) !== pass) return send(response, 403, { error: "no" });
      const fresh = randomBytes(24).toString("hex");
      sessions.set(fresh, name);
      return send(response, 201, { data: { token: fresh } });
    }
    if (route === "GET /v1/things") {
      if (!user) return send(response, 403, { error: "refused" });
      served += 1;
      return send(response, 200, [{ thing: 1, for: user }]);
    }
    if (route === "DELETE /auth/session") {
      if (!sessions.has(token)) return send(response, 403, { error: "refused" });
      end(token);
      return send(response, 204);
    }
    if (route === "PUT /auth/password") {
      const name = sessions.get(token);
      const { current, next } = await body(request);
      if (!name || passwords.get(name) !== current) return send(response, 403, { error: "no" });
      passwords.set(name, next);
      for (const [t, owner] of sessions) if (owner === name) end(t);
      return send(response, 204);
    }
    if (route === "GET /prom") {
      const { user: u, system } = process.cpuUsage();
      response.writeHead(200, { "content-type": "text/plain" });
      return response.end(
        `# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ${(u + system) / 1e6}\n# TYPE things_served_total counter\nthings_served_total{route="/v1/things"} ${served}\n`,
      );
    }
    return send(response, 404, { error: "no such route" });
  };
}

const urls = [];
for (let i = 0; i < instances; i++) {
  const server = createServer(handler(i));
  server.keepAliveTimeout = 65_000;
  await new Promise((resolve) => server.listen(0, host, resolve));
  urls.push(`http://${host}:${server.address().port}`);
}
process.stdout.write(`${JSON.stringify({ urls, pid: process.pid })}\n`);
