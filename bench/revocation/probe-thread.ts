import { performance } from "node:perf_hooks";
import { Worker } from "node:worker_threads";
import { AcbError } from "../../lib/errors.js";
import type { ApiDescription } from "../harness/api-description.js";
import { compiled } from "../harness/compiled.js";
import type { ProbeOutcome, ProbeWindow } from "./probe.js";

/** What the harness asks of the probe thread; times are epoch milliseconds. */
export type ProbeRequest = { id: number; baseUrl: string; token: string; api: ApiDescription } & (
  | { kind: "warm" }
  | { kind: "probe"; window: ProbeWindow }
);

export type ProbeReply =
  | { id: number; status: number }
  | { id: number; outcome: ProbeOutcome }
  | { id: number; error: string; code: string | null };

/** The harness's clock as epoch milliseconds, comparable across threads. */
export const epochNow = (): number => performance.timeOrigin + performance.now();

type Waiting = { resolve: (reply: ProbeReply) => void; reject: (error: Error) => void };

/** A worker thread that probes instances on its own event loop and its own connections. */
export class ProbeThread {
  /** How the probed instances check a token: the protected request, and what refuses. */
  constructor(private readonly api: ApiDescription) {
    this.worker.on("message", (reply: ProbeReply) => {
      this.waiting.get(reply.id)?.resolve(reply);
      this.waiting.delete(reply.id);
    });
    this.worker.on("error", (error) => this.failAll(error));
    this.worker.on("exit", (code) =>
      this.failAll(new Error(`the probe thread exited with ${code}`)),
    );
  }

  private readonly worker = new Worker(compiled(import.meta.url, "./probe-worker.js"));
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;

  /** Opens the keep-alive connection to an instance; resolves with the status it gave. */
  async warm(baseUrl: string, token: string): Promise<number> {
    const reply = await this.ask({
      id: this.nextId++,
      kind: "warm",
      baseUrl,
      token,
      api: this.api,
    });
    return "status" in reply ? reply.status : 0;
  }

  /** probeUntilRevoked on the probe thread; the window's times are epoch ms (epochNow). */
  async probe(baseUrl: string, token: string, window: ProbeWindow): Promise<ProbeOutcome> {
    const reply = await this.ask({
      id: this.nextId++,
      kind: "probe",
      baseUrl,
      token,
      window,
      api: this.api,
    });
    if ("outcome" in reply) return reply.outcome;
    throw new Error(`the probe thread answered ${JSON.stringify(reply)}`);
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }

  private async ask(request: ProbeRequest): Promise<ProbeReply> {
    const reply = await new Promise<ProbeReply>((resolve, reject) => {
      this.waiting.set(request.id, { resolve, reject });
      this.worker.postMessage(request);
    });
    if ("error" in reply) {
      throw reply.code ? new AcbError(reply.code, reply.error) : new Error(reply.error);
    }
    return reply;
  }

  private failAll(error: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }
}
