import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAutocannon } from "../bench/harness/autocannon-run.js";
import type { RequestSpec } from "../bench/harness/scenarios.js";

// A server whose answers are known in advance: /status/N answers N, /hang never answers.
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    const status = /^\/status\/(\d{3})$/.exec(request.url ?? "")?.[1];
    if (status === undefined) return; // /hang: left open until the client gives up
    response.writeHead(Number(status)).end();
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const get = (path: string, expect: number): RequestSpec => ({
  method: "GET",
  path,
  headers: {},
  expect,
});

describe("the closed-loop generator's counting", () => {
  it("checks each connection's answer against that connection's own draw", async () => {
    const specs = [get("/status/200", 200), get("/status/404", 404), get("/status/201", 201)];
    let draws = 0;
    const outcome = await runAutocannon(
      url,
      {
        describe: "three statuses drawn per request",
        requests: [specs[0] as RequestSpec],
        pick: () => specs[draws++ % specs.length] as RequestSpec,
      },
      { connections: 8, seconds: 1, record: false },
    );
    expect(outcome.requests).toBeGreaterThan(100);
    expect(Object.keys(outcome.statuses).sort()).toEqual(["200", "201", "404"]);
    expect(outcome.unexpected).toBe(0);
  });

  it("still counts an answer its request did not expect", async () => {
    const outcome = await runAutocannon(
      url,
      {
        describe: "a 404 where 200 was expected",
        requests: [get("/status/200", 200)],
        pick: () => get("/status/404", 200),
      },
      { connections: 2, seconds: 1, record: false },
    );
    expect(outcome.unexpected).toBe(outcome.requests);
  });

  it("counts a timeout once, not as an error and a timeout both", async () => {
    const outcome = await runAutocannon(
      url,
      { describe: "never answered", requests: [get("/hang", 200)] },
      { connections: 2, seconds: 3, record: false, timeoutSeconds: 1 },
    );
    expect(outcome.timeouts).toBeGreaterThan(0);
    expect(outcome.unexpected).toBe(outcome.timeouts);
  });
});
