// Benchmark runner: `npm run bench [-- FILTER...] [--quick] [--rounds=N] [--no-save] [--list]
// [--in-process]`.
//
// Loads every suite in bench/suites/, keeps the cases whose "suite/group/name" contains one of the
// filters (plus their group's baseline), and runs each group's cases side by side: all cases of a
// group are set up together and measured in interleaved rounds (A B C, A B C, ...), so slow drift
// of a noisy machine hits every row alike and the ratios to the baseline stay meaningful. Each
// group runs in a fresh node process (see runInChild). Progress goes to stderr; the markdown table
// goes to stdout and, with the raw numbers as JSON, to bench/results/<date>.{md,json} and
// bench/results/latest.{md,json}.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { Bench, type FnReturnedObject } from "tinybench";
import { execSync, fork } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { isExternal, isReport, type Case, type ExternalCase, type ReportCase, type SuiteModule, type TimedCase } from "./types.js";

// ---- command line ---------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
if (flag("help") || flag("h")) {
  process.stdout.write(
    "usage: npm run bench [-- FILTER...] [--quick] [--rounds=N] [--no-save] [--list]\n" +
      "  FILTER     run cases whose 'suite/group/name' contains it (case-insensitive); several are OR-ed\n" +
      "  --quick    a tenth of the time budgets (smoke test; numbers are rough)\n" +
      "  --rounds=N interleaved rounds per group (default 8)\n" +
      "  --no-save  print only, write nothing under bench/results/\n" +
      "  --in-process  run all groups in this process (default: a fresh process per group)\n" +
      "  --list     list the cases and exit\n",
  );
  process.exit(0);
}
const filters = argv.filter((a) => !a.startsWith("--")).map((f) => f.toLowerCase());
const QUICK = flag("quick");
const ROUNDS_ARG = Math.max(1, Number(option("rounds") ?? 8) | 0);
const SAVE = !flag("no-save");
const IN_PROCESS = flag("in-process");
/** Set in the worker processes the runner forks, one per group: the group's index. */
const CHILD = option("child");

const log = (s: string) => process.stderr.write(s + "\n");

// ---- loading suites -------------------------------------------------------------------------

const benchDir = fileURLToPath(new URL(".", import.meta.url));
const suitesDir = fileURLToPath(new URL("./suites/", import.meta.url));

interface Group {
  suite: string;
  name: string;
  description?: string;
  /** Rounds for this group when the suite asks for fewer than --rounds (slow cases). */
  rounds?: number;
  cases: Case[];
}

async function loadGroups(): Promise<Group[]> {
  const files = readdirSync(suitesDir)
    .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith(".d.ts"))
    .sort();
  const groups: Group[] = [];
  for (const file of files) {
    const suite = file.replace(/\.(ts|js|mjs)$/, "");
    const mod = (await import(pathToFileURL(suitesDir + file).href)) as SuiteModule;
    if (!Array.isArray(mod.cases)) throw new Error(`bench/suites/${file} must export 'cases' (an array)`);
    for (const c of mod.cases) {
      let g = groups.find((x) => x.suite === suite && x.name === c.group);
      if (!g) groups.push((g = { suite, name: c.group, description: mod.groups?.[c.group], rounds: mod.rounds?.[c.group], cases: [] }));
      if (g.cases.some((x) => x.name === c.name)) throw new Error(`duplicate case '${c.name}' in group '${c.group}' of ${file}`);
      g.cases.push(c);
    }
  }
  return groups;
}

const baselineOf = (cases: Case[]): Case => cases.find((c) => !isReport(c) && c.baseline) ?? cases[0];

function select(groups: Group[]): Group[] {
  if (filters.length === 0) return groups;
  const out: Group[] = [];
  for (const g of groups) {
    const hit = g.cases.filter((c) => filters.some((f) => `${g.suite}/${g.name}/${c.name}`.toLowerCase().includes(f)));
    if (hit.length === 0) continue;
    const base = baselineOf(g.cases);
    out.push({ ...g, cases: g.cases.filter((c) => c === base || hit.includes(c)) });
  }
  return out;
}

// ---- statistics -----------------------------------------------------------------------------

interface Stats {
  samples: number;
  median: number;
  mean: number;
  min: number;
  max: number;
  p99: number;
  sd: number;
  /** Relative margin of error of the mean, 95%, in percent. */
  rme: number;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const mean = s.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  const rme = n > 1 ? ((1.96 * sd) / Math.sqrt(n) / mean) * 100 : 0;
  return { samples: n, median: quantile(s, 0.5), mean, min: s[0], max: s[n - 1], p99: quantile(s, 0.99), sd, rme };
}

// ---- running --------------------------------------------------------------------------------

interface TimedRow {
  name: string;
  baseline: boolean;
  /** All samples in ms (per call for batched cases). */
  samplesMs: number[];
  roundMediansMs: number[];
  stats?: Stats;
  /** Median over rounds of (this row's round median / the baseline's median in that round). */
  ratio?: number;
  /** Smallest and largest per-round ratio. */
  ratioRange?: [number, number];
  /** Live tensors added over all rounds (should be 0). */
  tensorsLeaked: number;
  maxAbsDiff?: number;
  /** max|row - baseline| / max|baseline|, shown with the case's rtol. */
  relDiff?: number;
  rtol?: number;
  batch: number;
  error?: string;
  /** The group could not run here (e.g. no browser for the WebGL suite): shown instead of numbers. */
  skipped?: string;
}

interface GroupResult {
  suite: string;
  group: string;
  description?: string;
  /** The tfjs backend active while the group ran (suites may switch it in setup). */
  backend?: string;
  /** Interleaved rounds actually run (a suite may ask for fewer). */
  rounds?: number;
  kind: "time" | "report";
  rows: (TimedRow | ReportRow)[];
  /** One-off facts printed under the table (from external groups). */
  notes?: Record<string, string | number>;
}

interface ReportRow {
  name: string;
  values: Record<string, number | string>;
  error?: string;
}

const live = () => tf.memory().numTensors;
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function fmtTime(ms: number, unit: Unit): string {
  const v = ms * unit.scale;
  return `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)} ${unit.name}`;
}
interface Unit {
  name: string;
  scale: number;
}
const unitFor = (ms: number): Unit => (ms < 1e-3 ? { name: "ns", scale: 1e6 } : ms < 1 ? { name: "µs", scale: 1e3 } : { name: "ms", scale: 1 });

async function runTimedGroup(g: Group): Promise<GroupResult> {
  const cases = g.cases as TimedCase[];
  const base = baselineOf(cases) as TimedCase;
  const rows: TimedRow[] = cases.map((c) => ({ name: c.name, baseline: c === base, samplesMs: [], roundMediansMs: [], tensorsLeaked: 0, batch: c.batch ?? 1, rtol: c.rtol }));
  const ready: boolean[] = [];
  for (const [i, c] of cases.entries()) {
    try {
      await c.setup?.();
      ready[i] = true;
    } catch (e) {
      rows[i].error = `setup: ${errText(e)}`;
      log(`  ! ${c.name}: setup failed: ${errText(e)}`);
    }
  }
  const backend = tf.getBackend();
  // Same math? Compare each row's output with the baseline's.
  const values: (ArrayLike<number> | undefined)[] = [];
  for (const [i, c] of cases.entries()) {
    if (!ready[i] || !c.value) continue;
    try {
      values[i] = await c.value();
    } catch (e) {
      rows[i].error = `value: ${errText(e)}`;
    }
  }
  compareOutputs(g.name, rows, values, cases.indexOf(base));

  const ROUNDS = Math.min(ROUNDS_ARG, g.rounds ?? ROUNDS_ARG);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, c] of cases.entries()) {
      if (!ready[i] || rows[i].error) continue;
      const row = rows[i];
      const scale = QUICK ? 0.1 : 1;
      const time = ((c.time ?? 1500) * scale) / ROUNDS;
      // At least one sample per round (slow cases such as cold compiles set a low `iterations`).
      const iterations = Math.max(1, Math.ceil(((c.iterations ?? 10) * (QUICK ? 0.3 : 1)) / ROUNDS));
      const bench = new Bench({
        name: c.name,
        time,
        iterations,
        warmup: round === 0,
        warmupTime: (c.warmupTime ?? 250) * scale,
        warmupIterations: c.warmupIterations ?? 3,
        retainSamples: true,
        timestampProvider: "hrtimeNow",
      });
      const batch = row.batch;
      const now = () => bench.now();
      // Async cases time themselves too, so tinybench's own await (one more microtask turn per
      // sample) stays out of the sample; the case's awaits are in it.
      const fn = c.async
        ? async (): Promise<FnReturnedObject> => {
            const t0 = now();
            for (let k = 0; k < batch; k++) await c.fn();
            const elapsed = now() - t0;
            return { overriddenDuration: elapsed / batch, overriddenIterationCost: elapsed };
          }
        : batch > 1
          ? (): FnReturnedObject => {
              const t0 = now();
              for (let k = 0; k < batch; k++) c.fn();
              const elapsed = now() - t0;
              return { overriddenDuration: elapsed / batch, overriddenIterationCost: elapsed };
            }
          : () => {
              c.fn();
            };
      bench.add(c.name, fn, { async: !!c.async });
      const liveAll = () => live() + (c.liveCount?.() ?? 0);
      const before = liveAll();
      await bench.run();
      const leaked = liveAll() - before;
      row.tensorsLeaked += leaked;
      const task = bench.tasks[0];
      const r = task.result;
      if (r.state === "errored") {
        row.error = errText(r.error);
        log(`  ! ${g.name} | ${c.name}: ${row.error}`);
        continue;
      }
      if (r.state !== "completed" && r.state !== "aborted-with-statistics") {
        row.error = `tinybench state ${r.state}`;
        continue;
      }
      const samples = Array.from(r.latency.samples ?? []);
      for (const x of samples) row.samplesMs.push(x); // push(...xs) overflows the stack on big arrays
      const med = quantile([...samples].sort((a, b) => a - b), 0.5);
      row.roundMediansMs.push(med);
      const unit = unitFor(med);
      log(
        `  ${g.name} | ${c.name.padEnd(28)} round ${round + 1}/${ROUNDS}: median ${fmtTime(med, unit).padStart(9)}  (${samples.length} samples${batch > 1 ? ` x${batch} calls` : ""})` +
          (leaked ? `  ! ${leaked} tensors leaked` : "") +
          (batch === 1 && med < 0.01 ? "  ! under 10 µs per call: set batch so timer overhead does not dominate" : ""),
      );
    }
  }
  for (const [i, c] of cases.entries()) {
    if (!ready[i]) continue;
    try {
      await c.teardown?.();
    } catch (e) {
      log(`  ! ${c.name}: teardown failed: ${errText(e)}`);
    }
  }
  finishRows(rows);
  return { suite: g.suite, group: g.name, description: g.description, backend, rounds: ROUNDS, kind: "time", rows };
}

/** Same math? Sets each row's difference from the baseline's output (values[i] is row i's). */
function compareOutputs(group: string, rows: TimedRow[], values: (ArrayLike<number> | undefined)[], baseIndex: number): void {
  const baseValue = values[baseIndex];
  values.forEach((v, i) => {
    if (v && baseValue && v.length === baseValue.length) {
      let d = 0;
      let m = 0;
      for (let k = 0; k < v.length; k++) {
        d = Math.max(d, Math.abs(v[k] - baseValue[k]));
        m = Math.max(m, Math.abs(baseValue[k]));
      }
      if (Number.isNaN(d) || v.length === 0) d = v.length === 0 ? 0 : NaN;
      rows[i].maxAbsDiff = d;
      rows[i].relDiff = m > 0 ? d / m : d;
      if (rows[i].rtol !== undefined && !(rows[i].relDiff! <= rows[i].rtol!)) log(`  ! ${group} | ${rows[i].name}: output differs from the baseline by ${d.toExponential(2)} (relative ${rows[i].relDiff!.toExponential(2)} > rtol ${rows[i].rtol})`);
    } else if (v && baseValue) rows[i].error = `output has ${v.length} values, baseline ${baseValue.length}`;
  });
}

/** Statistics over each row's samples, and ratios to the baseline. */
function finishRows(rows: TimedRow[]): void {
  for (const row of rows) if (row.samplesMs.length) row.stats = stats(row.samplesMs);
  // Ratios pair each round's median with the baseline's from the same round, so a slow phase of
  // the machine (they last seconds) moves both sides of a ratio together.
  const b = rows.find((r) => r.baseline);
  for (const row of rows) {
    if (!b || !row.stats || b.roundMediansMs.length !== row.roundMediansMs.length) continue;
    const rs = row.roundMediansMs.map((m, k) => m / b.roundMediansMs[k]).sort((x, y) => x - y);
    row.ratio = quantile(rs, 0.5);
    row.ratioRange = [rs[0], rs[rs.length - 1]];
  }
}

/** A group timed elsewhere (see ExternalCase): one call measures all its rows. */
async function runExternalGroup(g: Group): Promise<GroupResult> {
  const cases = g.cases as ExternalCase[];
  const base = baselineOf(cases) as ExternalCase;
  const rounds = Math.min(ROUNDS_ARG, g.rounds ?? ROUNDS_ARG);
  const rows: TimedRow[] = cases.map((c) => ({ name: c.name, baseline: c === base, samplesMs: [], roundMediansMs: [], tensorsLeaked: 0, batch: c.batch ?? 1, rtol: c.rtol }));
  const result = { suite: g.suite, group: g.name, description: g.description, rounds, kind: "time" as const, rows };
  let r;
  try {
    r = await cases[0].external({ cases: cases.map((c) => c.name), rounds, quick: QUICK, log });
  } catch (e) {
    for (const row of rows) row.error = errText(e);
    log(`  ! ${g.name}: ${errText(e)}`);
    return result;
  }
  if (r.skipped) {
    for (const row of rows) row.skipped = r.skipped;
    log(`  ${g.name}: skipped: ${r.skipped}`);
    return { ...result, backend: r.backend, notes: r.notes };
  }
  const values: (ArrayLike<number> | undefined)[] = [];
  for (const [i, row] of rows.entries()) {
    const got = r.rows.find((x) => x.name === row.name);
    if (!got) {
      row.error = "not measured";
      continue;
    }
    if (got.error) row.error = got.error;
    row.tensorsLeaked = got.tensorsLeaked ?? 0;
    values[i] = got.value;
    for (const samples of got.roundSamplesMs) {
      for (const x of samples) row.samplesMs.push(x);
      row.roundMediansMs.push(quantile([...samples].sort((a, b) => a - b), 0.5));
    }
  }
  compareOutputs(g.name, rows, values, cases.indexOf(base));
  finishRows(rows);
  return { ...result, backend: r.backend, notes: r.notes };
}

async function runReportGroup(g: Group): Promise<GroupResult> {
  const rows: ReportRow[] = [];
  for (const c of g.cases as ReportCase[]) {
    const t0 = performance.now();
    try {
      const values = await c.measure();
      rows.push({ name: c.name, values });
      log(`  ${g.name} | ${c.name.padEnd(30)} ${Object.entries(values).map(([k, v]) => `${k}=${v}`).join(" ")}  (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (e) {
      rows.push({ name: c.name, values: {}, error: errText(e) });
      log(`  ! ${g.name} | ${c.name}: ${errText(e)}`);
    }
  }
  return { suite: g.suite, group: g.name, description: g.description, backend: tf.getBackend(), kind: "report", rows };
}

// ---- output ---------------------------------------------------------------------------------

const fmtRatio = (r: number) => `${r >= 10 ? r.toFixed(1) : r >= 0.1 ? r.toFixed(2) : r.toPrecision(2)}x`;
const fmtDiff = (d: number | undefined) => (d === undefined ? "–" : d === 0 ? "0" : d.toExponential(1));
/** The diff cell: the absolute difference, and with a tolerance whether the relative one is within it. */
function fmtDiffCell(r: TimedRow): string {
  const abs = fmtDiff(r.maxAbsDiff);
  if (r.maxAbsDiff === undefined || r.rtol === undefined) return abs;
  const ok = r.relDiff! <= r.rtol;
  return `${abs} (rel ${fmtDiff(r.relDiff)} ${ok ? "≤" : "**>**"} ${r.rtol.toExponential(0)})`;
}

function markdown(meta: Record<string, unknown>, results: GroupResult[]): string {
  const out: string[] = [];
  out.push(`# tfjax benchmarks`, "");
  out.push(
    `${meta.date} · Node ${meta.node} · tfjs-core ${meta.tfjs} (backend per group)${meta.jaxjs ? ` · @jax-js/jax ${meta.jaxjs}` : ""} · ${meta.cores} × ${meta.cpu} · commit ${meta.commit} · ` +
      `${meta.rounds} interleaved rounds${meta.quick ? " · --quick" : ""}${(meta.filters as string[]).length ? ` · filter: ${(meta.filters as string[]).join(", ")}` : ""} · total ${meta.totalSeconds} s`,
    "",
  );
  out.push(
    `Times are per call, over all samples of all rounds. "vs baseline" is time relative to the group's baseline (lower is faster): the median over rounds of ` +
      `the row's round median ÷ the baseline's median in the same round; "range" is the smallest and largest of those per-round ratios.`,
    "",
  );
  let suite = "";
  for (const g of results) {
    if (g.suite !== suite) {
      suite = g.suite;
      out.push(`## ${suite}`, "");
    }
    out.push(`### ${g.group}`, "");
    if (g.description) out.push(g.description, "");
    if (g.backend) out.push(`tfjs backend: **${g.backend}**.${g.rounds !== undefined && g.rounds !== meta.rounds ? ` ${g.rounds} rounds.` : ""}`, "");
    if (g.kind === "time") {
      const rows = g.rows as TimedRow[];
      const b = rows.find((r) => r.baseline)?.stats;
      const unit = unitFor(b?.median ?? rows.find((r) => r.stats)?.stats?.median ?? 1);
      out.push(`| case | median | mean ± 95% | p99 | samples | vs baseline | range | max abs diff | leaked tensors |`);
      out.push(`|---|--:|--:|--:|--:|--:|--:|--:|--:|`);
      // A group that could not run here (no browser, say) gets one row saying why.
      const skipped = rows.length > 0 && rows.every((r) => r.skipped) ? rows[0].skipped! : undefined;
      if (skipped) out.push(`| all ${rows.length} cases | skipped: ${skipped.replace(/\|/g, "\\|")} | | | | | | | |`);
      for (const r of skipped ? [] : rows) {
        const name = r.baseline ? `${r.name} (baseline)` : r.name;
        if (r.skipped) {
          out.push(`| ${name} | skipped: ${r.skipped.replace(/\|/g, "\\|")} | | | | | | | |`);
          continue;
        }
        if (!r.stats) {
          out.push(`| ${name} | error: ${(r.error ?? "no samples").replace(/\|/g, "\\|")} | | | | | | | |`);
          continue;
        }
        const s = r.stats;
        out.push(
          `| ${name} | ${fmtTime(s.median, unit)} | ${fmtTime(s.mean, unit)} ± ${s.rme.toFixed(1)}% | ${fmtTime(s.p99, unit)} | ${s.samples}${r.batch > 1 ? ` x${r.batch}` : ""} | ` +
            `${r.ratio === undefined ? "–" : r.baseline ? `**${fmtRatio(r.ratio)}**` : fmtRatio(r.ratio)} | ` +
            `${r.baseline || !r.ratioRange ? "–" : `${r.ratioRange[0].toFixed(2)}–${r.ratioRange[1].toFixed(2)}`} | ${r.baseline ? "–" : fmtDiffCell(r)} | ${r.tensorsLeaked}${r.error ? ` (${r.error})` : ""} |`,
        );
      }
    } else {
      const rows = g.rows as ReportRow[];
      const cols = [...new Set(rows.flatMap((r) => Object.keys(r.values)))];
      out.push(`| case | ${cols.join(" | ")} |`);
      out.push(`|---|${cols.map(() => "--:").join("|")}|`);
      for (const r of rows) {
        if (r.error) out.push(`| ${r.name} | error: ${r.error.replace(/\|/g, "\\|")} |${cols.slice(1).map(() => " |").join("")}`);
        else out.push(`| ${r.name} | ${cols.map((c) => String(r.values[c] ?? "–")).join(" | ")} |`);
      }
    }
    if (g.notes && Object.keys(g.notes).length) {
      out.push("");
      for (const [k, v] of Object.entries(g.notes)) out.push(`- ${k}: ${v}`);
    }
    out.push("");
  }
  return out.join("\n");
}

/** The installed @jax-js/jax version (a bench-only peer), or undefined. */
function jaxJsVersion(): string | undefined {
  try {
    return (JSON.parse(readFileSync(fileURLToPath(new URL("../node_modules/@jax-js/jax/package.json", import.meta.url)), "utf8")) as { version: string }).version;
  } catch {
    return undefined;
  }
}

function gitCommit(): string {
  try {
    const sha = execSync("git rev-parse --short HEAD", { cwd: benchDir, stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
    const dirty = execSync("git status --porcelain --untracked-files=no", { cwd: benchDir, stdio: ["ignore", "pipe", "ignore"] }).toString().trim() !== "";
    return dirty ? `${sha}+dirty` : sha;
  } catch {
    return "unknown";
  }
}

// ---- main -----------------------------------------------------------------------------------

async function runGroup(g: Group): Promise<GroupResult> {
  const kinds = new Set(g.cases.map((c) => (isReport(c) ? "report" : isExternal(c) ? "external" : "time")));
  if (kinds.size > 1) throw new Error(`group '${g.name}' mixes timed, report and external cases`);
  return kinds.has("report") ? await runReportGroup(g) : kinds.has("external") ? await runExternalGroup(g) : await runTimedGroup(g);
}

/**
 * Runs group `index` (of the same selection) in a fresh node process with the same flags.
 * Groups share nothing then: in one process, running the 1M-element chain first made the
 * f32[16] dispatch rows 2-2.5x slower afterwards (JIT and heap state carry over).
 */
function runInChild(index: number, g: Group): Promise<GroupResult> {
  return new Promise((resolve) => {
    const args = [...argv.filter((a) => !a.startsWith("--child=")), `--child=${index}`];
    const child = fork(fileURLToPath(import.meta.url), args, { execArgv: process.execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    let result: GroupResult | undefined;
    child.on("message", (m) => (result = m as GroupResult));
    child.on("error", (e) => log(`  ! ${g.name}: ${errText(e)}`));
    child.on("exit", (code, signal) => {
      if (result) return resolve(result);
      const error = `benchmark process exited with ${signal ?? `code ${code}`}`;
      log(`  ! ${g.name}: ${error}`);
      const rows = g.cases.map((c) => (isReport(c) ? { name: c.name, values: {}, error } : { name: c.name, baseline: c === baselineOf(g.cases), samplesMs: [], roundMediansMs: [], tensorsLeaked: 0, batch: c.batch ?? 1, error }));
      resolve({ suite: g.suite, group: g.name, description: g.description, kind: isReport(g.cases[0]) ? "report" : "time", rows });
    });
  });
}

async function main() {
  await tf.setBackend("cpu");
  await tf.ready();
  // Silence tfjs-cpu's one-time "install tfjs-node" banner (tfjax does the same).
  const b = tf.backend() as unknown as { firstUse?: boolean };
  if ("firstUse" in b) b.firstUse = false;

  const groups = select(await loadGroups());
  if (CHILD !== undefined) {
    const g = groups[Number(CHILD)];
    if (!g) throw new Error(`--child=${CHILD}: no such group`);
    const r = await runGroup(g);
    await new Promise<void>((res, rej) => process.send!(r, (e: Error | null) => (e ? rej(e) : res())));
    process.disconnect?.();
    return;
  }
  if (flag("list")) {
    for (const g of groups) for (const c of g.cases) process.stdout.write(`${g.suite}/${g.name}/${c.name}${c === baselineOf(g.cases) ? "  (baseline)" : ""}\n`);
    return;
  }
  if (groups.length === 0) {
    log(`no case matches ${filters.join(", ")} (try --list)`);
    process.exitCode = 1;
    return;
  }
  const gcNote = typeof (globalThis as { gc?: unknown }).gc === "function" ? "gc exposed" : "gc NOT exposed (run with node --expose-gc)";
  log(`tfjax bench: ${groups.reduce((n, g) => n + g.cases.length, 0)} cases in ${groups.length} groups, ${ROUNDS_ARG} rounds, default backend ${tf.getBackend()} (suites may switch), ${gcNote}${QUICK ? ", --quick" : ""}`);

  const t0 = performance.now();
  const results: GroupResult[] = [];
  for (const [i, g] of groups.entries()) {
    log(`[${g.suite}] ${g.name}${IN_PROCESS ? "" : " (own process)"}`);
    if (IN_PROCESS) await tf.setBackend("cpu"); // a previous group may have switched to wasm
    results.push(IN_PROCESS ? await runGroup(g) : await runInChild(i, g));
  }

  const now = new Date();
  const meta = {
    date: now.toISOString(),
    node: process.version,
    tfjs: tf.version_core,
    jaxjs: jaxJsVersion(),
    cpu: os.cpus()[0]?.model.trim() ?? "?",
    cores: os.cpus().length,
    commit: gitCommit(),
    rounds: ROUNDS_ARG,
    quick: QUICK,
    isolation: IN_PROCESS ? "one process" : "one process per group",
    filters,
    gcExposed: typeof (globalThis as { gc?: unknown }).gc === "function",
    totalSeconds: Math.round((performance.now() - t0) / 100) / 10,
  };
  const md = markdown(meta, results);
  process.stdout.write("\n" + md + "\n");

  if (SAVE) {
    const dir = fileURLToPath(new URL("./results/", import.meta.url));
    mkdirSync(dir, { recursive: true });
    const stamp = now.toISOString().replace(/:/g, "-").replace(/\.\d+Z$/, "Z");
    const tag = filters.length ? `-${filters.join("+").replace(/[^\w+.-]+/g, "_")}` : "";
    const json = JSON.stringify(
      {
        meta,
        units: "ms",
        groups: results.map((g) => ({
          ...g,
          rows: g.rows.map((r) => ("samplesMs" in r ? { ...r, samplesMs: r.samplesMs.map((x) => +x.toPrecision(4)) } : r)),
        })),
      },
      null,
      1,
    ).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_, xs: string) => `[${xs.replace(/\s+/g, "")}]`); // number arrays on one line
    for (const name of [`${stamp}${tag}`, "latest"]) {
      writeFileSync(`${dir}${name}.md`, md + "\n");
      writeFileSync(`${dir}${name}.json`, json + "\n");
    }
    log(`saved bench/results/${stamp}${tag}.{md,json} and bench/results/latest.{md,json}`);
  }
}

await main();
