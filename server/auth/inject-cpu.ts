import type { onRequestHookHandler } from "fastify";

/**
 * Spends `us` microseconds of this process's CPU (not of wall time: a busy machine would make a
 * timed spin cost less than it says). Node 20 has no per-thread CPU clock, so the time of other
 * threads (GC, libuv) counts too, which can only make the spin shorter, never longer.
 */
export function spendCpu(us: number): void {
  const start = process.cpuUsage();
  let spent = 0;
  while (spent < us) {
    const { user, system } = process.cpuUsage(start);
    spent = user + system;
  }
}

/**
 * --inject-cpu-us: a known cost on every authenticated request, for calibrating what the harness
 * measures and what a gate can detect. Off (0) by default, and then the hook is left untouched.
 */
export function withInjectedCpu(
  authenticate: onRequestHookHandler,
  us: number,
): onRequestHookHandler {
  if (us === 0) return authenticate;
  return function injected(request, reply, done) {
    authenticate.call(this, request, reply, (error?: Error) => {
      if (error) done(error);
      else {
        spendCpu(us);
        done();
      }
    });
  };
}
