// The probes' own thread: their clock and their sockets are not shared with the harness's
// background load, whose callbacks would otherwise delay a probe's send and inflate every lag.
import { performance } from "node:perf_hooks";
import { parentPort } from "node:worker_threads";
import { Client } from "undici";
import { describeCause } from "../../lib/errors.js";
import type { ApiDescription } from "../harness/api-description.js";
import { buildRequest } from "../harness/api-description.js";
import { type AnswerOf, answerOf, probeUntilRevoked } from "./probe.js";
import type { ProbeReply, ProbeRequest } from "./probe-thread.js";

const clients = new Map<string, Client>();

/** One keep-alive connection per instance: a probe is written as soon as it is asked for. */
function statusOf(baseUrl: string, api: ApiDescription): (token: string) => Promise<number> {
  let client = clients.get(baseUrl);
  if (!client) {
    client = new Client(baseUrl, { pipelining: 1, keepAliveTimeout: 60_000 });
    clients.set(baseUrl, client);
  }
  const connection = client;
  // A probe asks about one token every interval: its request is built once, not per probe.
  let built: { token: string; request: ReturnType<typeof buildRequest> } | undefined;
  return async (token) => {
    if (built?.token !== token)
      built = { token, request: buildRequest(api, api.protected, { token }) };
    const { statusCode, body } = await connection.request(built.request);
    await body.dump();
    return statusCode;
  };
}

/** Times cross threads as epoch milliseconds: each thread has its own performance.timeOrigin. */
const local = (epochMs: number) => epochMs - performance.timeOrigin;

async function answer(request: ProbeRequest): Promise<ProbeReply> {
  const status = statusOf(request.baseUrl, request.api);
  const answerTo: AnswerOf = async (token) => answerOf(await status(token), request.api);
  try {
    if (request.kind === "warm") return { id: request.id, status: await status(request.token) };
    const { window } = request;
    const outcome = await probeUntilRevoked(answerTo, request.token, {
      ...window,
      t0: local(window.t0),
      deadline: local(window.deadline),
    });
    return { id: request.id, outcome };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return {
      id: request.id,
      error: describeCause(error),
      code: typeof code === "string" ? code : null,
    };
  }
}

parentPort?.on("message", (request: ProbeRequest) => {
  void answer(request).then((reply) => parentPort?.postMessage(reply));
});
