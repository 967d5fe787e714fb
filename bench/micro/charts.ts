import type { Figure } from "../report/svg/figure.js";
import { type Row, rowChart } from "../report/svg/row-chart.js";
import { fmtTime } from "./render.js";
import type { MicroResults, MicroTask, SuiteResult } from "./schema.js";

// One colour for every task: the suites mix modes, stores and steps, so a mode's colour would mislead.
const BAR = "#56b4e9";

const UNMEASURED: Record<MicroTask["state"], string> = {
  completed: "no figures",
  "aborted-with-statistics": "no figures",
  errored: "failed",
  aborted: "interrupted before it was measured",
  "not-started": "not run",
};

function taskRow(task: MicroTask): Row {
  const s = task.stats;
  const base = { label: task.name, color: BAR };
  if (!s) {
    const why = task.error ? `${UNMEASURED[task.state]}: ${task.error}` : UNMEASURED[task.state];
    return { ...base, tip: `${task.name}: ${why}`, missing: why };
  }
  const of = task.batch > 1 ? ` of ${task.batch}-call means` : "";
  return {
    ...base,
    bar: s.meanUs,
    whisker: [s.p50Us, s.p99Us],
    value: fmtTime(s.meanUs),
    tip: `${task.name}: mean ${fmtTime(s.meanUs)}, p50 ${fmtTime(s.p50Us)}, p99 ${fmtTime(s.p99Us)}${of}, ${s.samples} samples`,
  };
}

function suiteFigure(suite: SuiteResult): Figure {
  const batched = suite.tasks.some((task) => task.batch > 1);
  return {
    id: `fig-${suite.name}`,
    title: `${suite.name}: ${suite.title}`,
    caption:
      "Bars: mean time per call, the figure to add up; whiskers: p50 to p99" +
      `${batched ? " (of batch means where calls are batched: see the notes under the table)" : ""}.` +
      " Log scale, so read where a bar ends, not its length. Lower is better.",
    svg: rowChart({
      label: `${suite.name} suite: mean time per call with p50 to p99, log scale`,
      axisTitle: "time per call (log scale; lower is better)",
      scale: "log",
      format: fmtTime,
      legend: [
        { swatch: { kind: "bar", color: BAR }, label: "mean per call" },
        { swatch: { kind: "interval" }, label: "p50 to p99" },
      ],
      rows: suite.tasks.map(taskRow),
      empty: "no tasks in this suite",
    }),
  };
}

/** The charts of the micro-benchmarks, one per suite, in the order they ran. */
export const microFigures = (results: MicroResults): Figure[] => results.suites.map(suiteFigure);
