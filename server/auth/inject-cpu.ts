import type { onRequestHookHandler } from "fastify";

/** What `work` computed, kept so that the JIT cannot drop the loop. */
let sink = 0;

/** `steps` rounds of integer arithmetic: a fixed amount of work, like the code a change adds. */
function work(steps: number): void {
  let x = sink;
  for (let i = 0; i < steps; i++) x = (Math.imul(x, 31) + i) | 0;
  sink = x;
}

/** CPU time a calibration pass must reach: far above the clock's granularity. */
const CALIBRATION_US = 10_000;
const CALIBRATION_PASSES = 5;

/**
 * Steps of `work` per µs of this process's CPU: the median of a few passes of about 10 ms each.
 * Measured once at start-up, so that a request spends its µs without asking the clock: a spin on
 * process.cpuUsage() costs a system call per turn, which on this VM made 2 µs asked cost 8 µs.
 */
export function stepsPerMicrosecond(): number {
  const rates: number[] = [];
  let steps = 1024;
  while (rates.length < CALIBRATION_PASSES) {
    const start = process.cpuUsage();
    work(steps);
    const { user, system } = process.cpuUsage(start);
    const spent = user + system;
    if (spent < CALIBRATION_US) steps *= 2;
    else rates.push(steps / spent);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)] as number;
}

/**
 * --inject-cpu-us: a known cost on every authenticated request, for calibrating what the harness
 * measures and what a gate can detect. Off (0) by default, and then the hook is left untouched.
 * The cost is a fixed amount of work sized at start-up, so it is CPU, not wall time: a busy
 * machine makes it take longer, never cost less.
 */
export function withInjectedCpu(
  authenticate: onRequestHookHandler,
  us: number,
): onRequestHookHandler {
  if (us === 0) return authenticate;
  const steps = Math.round(us * stepsPerMicrosecond());
  return function injected(request, reply, done) {
    authenticate.call(this, request, reply, (error?: Error) => {
      if (error) done(error);
      else {
        work(steps);
        done();
      }
    });
  };
}
