import {
  formatCost,
  hashPassword,
  type ScryptCost,
  verifyPassword,
} from "../../../server/auth/password.js";
import { LOAD_USER_COST } from "../../../server/config.js";
import { ensure, type SuiteSpec, type TaskSpec } from "../measure.js";

const PASSWORD = "correct horse battery staple";

async function verifyTask(id: string, cost: ScryptCost): Promise<TaskSpec> {
  const phc = await hashPassword(PASSWORD, cost);
  return {
    id,
    name: `scrypt verify ${formatCost(cost)}`,
    async: true,
    call: async () => ensure(await verifyPassword(PASSWORD, phc), "the right password failed"),
  };
}

/** What a login costs: one scrypt at the configured cost, and at the load users' cheaper one. */
export async function passwordSuite(cost: ScryptCost): Promise<SuiteSpec> {
  const tasks = [await verifyTask("password.verify", cost)];
  if (formatCost(cost) !== formatCost(LOAD_USER_COST)) {
    tasks.push(await verifyTask("password.verify-load-users", LOAD_USER_COST));
  }
  return {
    name: "password",
    title: "password verification, the login cost (server/auth/password.ts)",
    notes: [
      `${formatCost(cost)} is the configured cost (--password-cost); ${formatCost(LOAD_USER_COST)} the load benchmark's synthetic users'`,
    ],
    tasks,
    // One call takes up to a second: a few samples, one warm-up call.
    budget: { minSamples: 3, warmupMs: 0, minWarmupSamples: 1 },
  };
}
