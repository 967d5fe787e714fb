import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runAutocannon } from "../../bench/harness/autocannon-run.js";
import { planScenario } from "../../bench/harness/scenarios.js";
import { scrapeMetrics, serverSample } from "../../bench/harness/server-metrics.js";
import { type RunningServer, spawnServer } from "../../bench/harness/spawn-server.js";
import { login } from "../../bench/harness/users.js";
import { USERS } from "./app.js";

/**
 * A reference server started with `flags`, warmed for 1 s, then 2 s of reads by `connections`
 * closed-loop connections between two scrapes of its /metrics: what the harness would measure.
 */
export async function measured(flags: string[], connections: number) {
  const dir = await mkdtemp(join(tmpdir(), "acb-instruments-"));
  const server: RunningServer = await spawnServer([
    ...["--port", "0", "--sqlite-path", join(dir, "auth.sqlite"), "--log-level", "silent"],
    ...flags,
  ]);
  try {
    const url = server.ready.url;
    const jane = { username: "jane", password: USERS.jane.password, role: "user" };
    const session = await login(url, jane);
    const plan = planScenario("read", { sessions: [session], credentials: [], admin: undefined });
    await runAutocannon(url, plan, { connections, seconds: 1, record: false });
    const before = await scrapeMetrics(url);
    const outcome = await runAutocannon(url, plan, { connections, seconds: 2, record: true });
    const after = await scrapeMetrics(url);
    if (!before || !after) throw new Error("no /metrics");
    return { outcome, server: serverSample(before, after) };
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
