// The shape of a benchmark suite. A suite is a file in bench/suites/ exporting `cases` (and
// optionally `groups`, one-line descriptions keyed by group name). The runner finds suites by
// listing that folder, so adding a file is all it takes to add a suite.

/** A timed case: `fn` is one iteration. Rows of a group are compared with its baseline. */
export interface TimedCase {
  name: string;
  /** Rows sharing a group form one table section; ratios are to the group's baseline. */
  group: string;
  /**
   * One iteration. Must leave tf.memory() where it found it (the runner checks). With
   * `async: true` it returns a promise, which the runner awaits inside the timed window.
   */
  fn: () => unknown;
  /** `fn` returns a promise (for libraries whose results are ready only asynchronously). */
  async?: boolean;
  /** Runs once before any timing of the group (create inputs, compile). */
  setup?: () => void | Promise<void>;
  /** Runs once after the group (dispose inputs). */
  teardown?: () => void | Promise<void>;
  /** The group's reference row (default: the group's first case). */
  baseline?: boolean;
  /** Calls of `fn` per sample; the sample is the mean per call (for µs-scale work). */
  batch?: number;
  /** Measured time budget per case in ms, split over the rounds (default 1500). */
  time?: number;
  /** Minimum measured samples per case, over all rounds (default 10; at least one per round). */
  iterations?: number;
  /** Warm-up budget in ms before the first round (default 250; at least `warmupIterations`). */
  warmupTime?: number;
  /** Minimum warm-up calls before the first round (default 3). */
  warmupIterations?: number;
  /**
   * The result's values, computed once after setup; compared with the baseline's to show that
   * rows compute the same thing (max abs difference column).
   */
  value?: () => ArrayLike<number> | Promise<ArrayLike<number>>;
  /**
   * Tolerance for `value`: the row is flagged when max|row - baseline| exceeds rtol * max|baseline|
   * (the error relative to the baseline's largest magnitude, so values near zero do not inflate it).
   */
  rtol?: number;
  /**
   * Live objects that tf.memory() does not see (another library's buffers); the runner adds the
   * change over each round to the "leaked" column, as it does for tfjs tensors.
   */
  liveCount?: () => number;
}

/** A case that reports numbers instead of a time (one row of its group's table). */
export interface ReportCase {
  name: string;
  group: string;
  measure: () => Record<string, number | string> | Promise<Record<string, number | string>>;
}

/**
 * A timed case measured outside the bench process (the WebGL suite times its rows inside a browser
 * page, where a round trip per call would swamp them). Every case of such a group shares one
 * `external` function, which the runner calls once with the selected case names; it runs the
 * interleaved rounds itself and returns each row's samples, which the runner then treats like its
 * own (statistics, ratios to the baseline, output check, table, JSON).
 */
export interface ExternalCase {
  name: string;
  group: string;
  /** The group's reference row (default: the group's first case). */
  baseline?: boolean;
  /** Calls per sample (for the table's "samples" column; the samples are already per call). */
  batch?: number;
  /** As TimedCase.rtol, for the `value` the external run returns. */
  rtol?: number;
  external: (req: ExternalRequest) => Promise<ExternalResult>;
}

export interface ExternalRequest {
  /** Names of the cases to run (a filter may drop some; the baseline stays). */
  cases: string[];
  /** Interleaved rounds (already capped by the suite's `rounds`). */
  rounds: number;
  /** --quick: a tenth of the time budgets. */
  quick: boolean;
  /** Progress, to stderr. */
  log: (s: string) => void;
}

export interface ExternalResult {
  /** Where the group ran, shown as its backend (e.g. "webgl (SwiftShader ...)"). */
  backend: string;
  /** The group cannot run here (no browser, say): every row shows "skipped: <reason>", nothing fails. */
  skipped?: string;
  rows: {
    name: string;
    /** Per round, samples in ms per call. */
    roundSamplesMs: number[][];
    tensorsLeaked?: number;
    /** The row's output, compared with the baseline's as for TimedCase.value. */
    value?: ArrayLike<number>;
    error?: string;
  }[];
  /** One-off facts printed under the group's table (compile times, accuracy, environment). */
  notes?: Record<string, string | number>;
}

export type Case = TimedCase | ReportCase | ExternalCase;

export const isReport = (c: Case): c is ReportCase => "measure" in c;
export const isExternal = (c: Case): c is ExternalCase => "external" in c;

export interface SuiteModule {
  cases: Case[];
  /** Optional descriptions printed under each group's heading. */
  groups?: Record<string, string>;
  /** Optional per-group number of interleaved rounds, for slow groups (used if below --rounds). */
  rounds?: Record<string, number>;
}
