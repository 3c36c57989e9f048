// npm run bench's tables, printed in docs/performance.md's layout from the JSON it writes (so they can be pasted).
import { median } from './machine';

/** One measurement over the alternating rounds: each round's speed, their median, and the raw results. */
export interface SpeedCell<T = unknown> {
  median: number;
  rounds: number[];
  steps: number;
  loadAverages: number[];
  results: T[];
}

type Gflops = { gflops: number };
interface BenchJson {
  rounds: number;
  machine: { peak: { nativeGflops: number; wasmSimd128Gflops: number; wasmSimd128OneThreadGflops: number; scalarOneThreadGflops: number } };
  environments: Record<string, unknown>;
  matmul: Record<string, unknown>;
  images: Record<string, unknown>[];
  text: Record<string, unknown>[];
  transformer: Record<string, unknown>[];
  mainThread: Record<string, unknown>[];
  timeToTarget: Record<string, unknown> | null;
}

const n0 = (x: number) => Math.round(x).toLocaleString('en-US');
const x2 = (x: number) => `**${x.toFixed(2)}x**`;
const g = (x: number) => x.toFixed(2);
const gf = (c: SpeedCell) => median((c.results as Gflops[]).map((r) => r.gflops));

/** The machine peak a backend's GFLOP/s is set against: WASM SIMD128 on its threads, one scalar thread for cpu. */
function peakFor(json: BenchJson, backend: string): string {
  const p = json.machine.peak;
  if (backend === 'cpu') return g(p.scalarOneThreadGflops);
  if (backend !== 'wasm') return '-';
  const threads = (json.environments.wasm as { wasm?: { threads: number } } | undefined)?.wasm?.threads ?? 1;
  return `${g(threads > 1 ? p.wasmSimd128Gflops : p.wasmSimd128OneThreadGflops)} (${threads} thread${threads > 1 ? 's' : ''})`;
}

function imageTables(json: BenchJson, file: string): void {
  console.log(`\nTraining speed, median of ${json.rounds} alternating rounds (${file})\n`);
  console.log(
    '| backend | model | ours (samples/s) | model.fit (samples/s) | ours / model.fit | model.fit + tf.nextFrame() per batch | ours / paced | timed steps |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  type Row = { backend: string; model: string; ours: SpeedCell; fit: SpeedCell; paced: SpeedCell; ratio: number; pacedRatio: number };
  for (const r of json.images as unknown as Row[])
    console.log(
      `| ${r.backend} | ${r.model} | ${n0(r.ours.median)} | ${n0(r.fit.median)} | ${x2(r.ratio)} | ${n0(r.paced.median)} | ${r.pacedRatio.toFixed(2)}x | ${r.ours.steps} |`,
    );
}

function flopTable(json: BenchJson, file: string): void {
  type Row = { backend: string; model: string; ours: SpeedCell; fit: SpeedCell };
  console.log(`\nAchieved rate against the backend's best matmul and the machine's peak (${file})\n`);
  console.log(
    "| backend | model | ours (GFLOP/s) | model.fit (GFLOP/s) | the step's matmul at its shape (GFLOP/s) | best matmul (GFLOP/s, shape, kernel) | ours / best matmul | machine peak (GFLOP/s) |",
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  type Rate = { gflops: number; m: number; k: number; n: number; kernel: string };
  type Best = { best: Rate; shapes: Rate[]; stepMatmul: string };
  // the shape of each step's largest per-batch product: the MLP's first layer, the CNN's second convolution as
  // patches, the char-LSTM's recurrent product of one time step
  const STEP_SHAPE: Record<string, string> = { mlp: '64x784x64', cnn: '6400x150x16', 'char-LSTM': '64x128x512' };
  const atShape = (m: Best | undefined, model: string) => {
    const r = m?.shapes.find((x) => `${x.m}x${x.k}x${x.n}` === STEP_SHAPE[model] && x.kernel === m.stepMatmul);
    return r ? `${g(r.gflops)} (${STEP_SHAPE[model]})` : '-';
  };
  const rows = [...(json.images as unknown as Row[]), ...(json.text as unknown as Row[]).map((r) => ({ ...r, model: 'char-LSTM' }))];
  for (const r of rows) {
    const best = (json.matmul[r.backend] as Best | undefined)?.best;
    const where = best ? `${g(best.gflops)} (${best.m}x${best.k}x${best.n}, ${best.kernel})` : '-';
    const share = best ? `${((100 * gf(r.ours)) / best.gflops).toFixed(0)} %` : '-';
    const m = json.matmul[r.backend] as Best | undefined;
    console.log(
      `| ${r.backend} | ${r.model} | ${g(gf(r.ours))} | ${g(gf(r.fit))} | ${atShape(m, r.model)} | ${where} | ${share} | ${peakFor(json, r.backend)} |`,
    );
  }
}

function textTables(json: BenchJson, file: string): void {
  type Row = { backend: string; ours: SpeedCell; fit: SpeedCell; lastChar: SpeedCell; other?: SpeedCell; ratio: number; lastCharRatio: number };
  const text = json.text as unknown as Row[];
  if (!text.length) return;
  console.log(`\nChar-LSTM, predicted characters per second, median of ${json.rounds} alternating rounds (${file})\n`);
  console.log(
    '| backend | ours | tfjs LSTM layers, model.fit, same task | ours / tfjs layers | target 2x | timed steps | our step via tfjs layers |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of text)
    console.log(
      `| ${r.backend} | ${n0(r.ours.median)} | ${n0(r.fit.median)} | ${x2(r.ratio)} | ${r.ratio >= 2 ? 'met' : 'missed'} | ${r.ours.steps} | ${r.other ? n0(r.other.median) : '-'} |`,
    );
  console.log('\nExtra row: the tfjs-examples last-character model (one-hot windows of 40, batch 128, tf.nextFrame() per batch)\n');
  console.log('| backend | last-character example (chars/s) | ours / it |');
  console.log('| --- | --- | --- |');
  for (const r of text) console.log(`| ${r.backend} | ${r.lastChar.median.toFixed(1)} | ${r.lastCharRatio.toFixed(0)}x |`);
}

function transformerTable(json: BenchJson, file: string): void {
  type Row = { backend: string; preset: string; measured?: false; ours: SpeedCell; plain: SpeedCell; ratio: number };
  const rows = json.transformer as unknown as Row[];
  if (!rows.length) return;
  console.log(`\nChar-Transformer, predicted characters per second, median of ${json.rounds} alternating rounds (${file})\n`);
  console.log('| backend | preset | ours | plain ops + autodiff | ours / plain | target 1.5x | step (ours / plain) | GFLOP/s (ours) | timed steps |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const ms = (c: SpeedCell) => `${(median((c.results as { stepMs: number }[]).map((r) => r.stepMs)) / 1000).toFixed(2)} s`;
  for (const r of rows)
    console.log(
      r.measured === false
        ? `| ${r.backend} | ${r.preset} | not measured | | | | | | |`
        : `| ${r.backend} | ${r.preset} | ${n0(r.ours.median)} | ${n0(r.plain.median)} | ${x2(r.ratio)} | ${r.ratio >= 1.5 ? 'met' : 'missed'} | ${ms(r.ours)} / ${ms(r.plain)} | ${g(gf(r.ours))} | ${r.ours.steps} |`,
    );
}

function otherTables(json: BenchJson, file: string): void {
  type Main = { backend: string; model: string; inspectOpen?: boolean; seconds: number; longTasks: number; longTaskMs: number; maxTaskMs: number };
  if (json.mainThread.length) {
    console.log(`\nMain thread while training from the page (${file})\n`);
    console.log(
      '| backend | model | run from the page (s) | long tasks | long-task time (ms) | longest (ms) |\n| --- | --- | --- | --- | --- | --- |',
    );
    for (const m of json.mainThread as unknown as Main[])
      console.log(
        `| ${m.backend} | ${m.model}${m.inspectOpen ? ' (Inspect open)' : ''} | ${m.seconds.toFixed(1)} | ${m.longTasks} | ${m.longTaskMs.toFixed(0)} | ${m.maxTaskMs.toFixed(0)} |`,
      );
  }
  const t = json.timeToTarget;
  if (!t) return;
  type Acc = {
    target: number;
    reached: boolean;
    seconds: number;
    epochs: number;
    valAccuracy: number;
    testAccuracy: number;
    curve: { valAccuracy: number }[];
  };
  console.log(`\nTime to target (${file})\n`);
  console.log(
    '| model | target (validation) | time | reached at | test accuracy at the end | validation accuracy after each epoch |\n| --- | --- | --- | --- | --- | --- |',
  );
  for (const kind of ['mlp', 'cnn'] as const) {
    const a = t[kind] as Acc | undefined;
    if (!a) continue;
    const pct = (v: number) => (v * 100).toFixed(2);
    console.log(
      `| ${kind.toUpperCase()} | ${pct(a.target)} % | ${a.reached ? `**${a.seconds.toFixed(0)} s**` : `not reached (${a.seconds.toFixed(0)} s)`} | epoch ${a.epochs}: ${pct(a.valAccuracy)} % | ${pct(a.testAccuracy)} % | ${a.curve.map((c) => pct(c.valAccuracy)).join(', ')} |`,
    );
  }
  const l = t.lstm as { reached: boolean; seconds: number; steps: number; valLoss: number } | undefined;
  if (l)
    console.log(
      `| char-LSTM | 2.0 nats/char | ${l.reached ? `**${l.seconds.toFixed(0)} s**` : 'not reached'} | step ${l.steps}: ${l.valLoss.toFixed(3)} nats | | (checked every 50 steps) |`,
    );
}

/** Prints every table the run has figures for, each naming the JSON file it comes from. */
export function printTables(json: BenchJson, file: string): void {
  if (json.images.length) imageTables(json, file);
  textTables(json, file);
  transformerTable(json, file);
  if (json.images.length || json.text.length) flopTable(json, file);
  otherTables(json, file);
}
