// npm run bench: speed figures in headless Chromium (the e2e launcher), never in a timed test. Every figure is the
// median of --rounds alternating rounds (ours, then each baseline, then ours again ...), each round at least --steps
// timed steps after warm-up, all in the page's worker on the same backend, same model, batch, optimizer and data.
// MLP and CNN: training samples per second of the default models: our step; model.fit on the device tensors with no
// per-batch wait (tfjs's default yieldEvery: the baseline every ratio is stated against); model.fit awaiting
// tf.nextFrame() after every batch (the tfjs examples' UI-paced loop, a second column). Also the step's GFLOP/s
// (bench/flops.ts) beside the backend's best matmul rate over several shapes, tensors before and after, and the page's
// main-thread long tasks (over 50 ms) while each model trains from the UI.
// Char-LSTM: predicted characters per second of the default model: our step; tfjs's LSTM layers on the same
// seq-to-seq task through model.fit (the baseline); the tfjs-examples last-character model (an extra row); with
// --lstm-other also our step through tfjs's LSTM layers.
// Then times to target on the fastest backend: MLP 97.5 % and CNN 99.0 % validation accuracy (test accuracy measured
// once, at the end), the char-LSTM --target nats per character on validation; each stops after --max-seconds.
// Results: docs/bench/<date>-<speed|main-thread|time-to-target>.json (machine, browser, adapters, command, commit).
// Usage: npm run bench [-- --backends webgpu,webgl,wasm,cpu --models mlp,cnn,lstm --rounds 3 --steps N
//   --target 2.0 --max-seconds 1200 (0: skip the times to target) --skip-build --lstm-other --out docs/bench
//   --main-thread-only --skip-main-thread --time-to-target-only (on the first backend listed)
//   --inspect-open (the main-thread runs with the tab's Inspect view open) --main-thread-scale K (runs K times longer)
//   --until-end (times to target: train every epoch of the settings, not stopping at the target)
//   --change '{"train":{"epochs":20},"model":{"dropout":0.1}}' (times to target with changed defaults)]
// Char-Transformer (--models transformer): predicted characters per second of our fused training step against the
// same model with plain tfjs ops and autodiff (the baseline), in the page's worker on each backend (--presets tiny,
// small; a cell with 0 steps in TRANSFORMER_STEPS is skipped unless --steps is given; --xfmr-lr 0.01, the Text tab's
// default). With --minutes M (run in Node, bench/transformer.ts), the small Transformer and the default char-LSTM
// each trained M minutes on wasm (validation every --eval-seconds 30, --target nats; --xfmr-batch B sets the
// Transformer's batch, the Text tab's 64 by default), then nothing else.
// Results: docs/bench/<date>-speed.json (the transformer rows) or <date>-transformer.json (--minutes).
import { build, preview } from 'vite';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/e2e/browser';
import { commit, machine, median, resultPath } from './bench/machine';
import { mainThreadDuringTraining, openPage } from './bench/page';
import { printTables, type SpeedCell } from './bench/tables';
import type { SpeedResult } from '../src/engine/config/diagnostics';
import { TRANSFORMER_PRESETS, type TransformerPresetName } from '../src/engine/config/charTransformer';
import { familiesForMinutes } from './bench/transformer';

const { values } = parseArgs({
  options: {
    backends: { type: 'string', default: 'webgpu,webgl,wasm,cpu' },
    models: { type: 'string', default: 'mlp,cnn,lstm' },
    target: { type: 'string', default: '2.0' },
    'max-seconds': { type: 'string', default: '1200' },
    'skip-build': { type: 'boolean', default: false },
    'main-thread-only': { type: 'boolean', default: false },
    'skip-main-thread': { type: 'boolean', default: false },
    'inspect-open': { type: 'boolean', default: false },
    'main-thread-scale': { type: 'string', default: '1' },
    rounds: { type: 'string', default: '3' },
    steps: { type: 'string' },
    'lstm-other': { type: 'boolean', default: false },
    'time-to-target-only': { type: 'boolean', default: false },
    'until-end': { type: 'boolean', default: false },
    change: { type: 'string', default: '{}' },
    out: { type: 'string', default: 'docs/bench' },
    presets: { type: 'string', default: 'tiny,small' },
    'xfmr-lr': { type: 'string', default: '0.01' }, // the Text tab's default learning rate (AdamW's peak)
    'xfmr-batch': { type: 'string' }, // the Transformer's batch in the --minutes comparison (default: the Text tab's 64)
    minutes: { type: 'string', default: '0' },
    'eval-seconds': { type: 'string', default: '30' },
  },
});

const allModels = values.models!.split(',');
const models = allModels.filter((m) => m !== 'transformer'); // the MNIST and char-LSTM models
const presets = values.presets!.split(',') as TransformerPresetName[];
const backends = values.backends!.split(',');
const ACCURACY_TARGET: Record<'mlp' | 'cnn', number> = { mlp: 0.975, cnn: 0.99 };
const speedRuns = !values['main-thread-only'] && !values['time-to-target-only'];
const rounds = Math.max(1, Number(values.rounds));
// Timed steps per cell (--steps N sets them all, e.g. for a quick check): at least 20, more where a step is short.
const STEPS: Record<'mlp' | 'cnn' | 'lstm', Record<string, number>> = {
  mlp: { webgpu: 20, webgl: 60, wasm: 150, cpu: 40 },
  cnn: { webgpu: 20, webgl: 20, wasm: 30, cpu: 20 },
  lstm: { webgpu: 20, webgl: 20, wasm: 30, cpu: 20 },
};
const steps = (kind: 'mlp' | 'cnn' | 'lstm', backend: string) => (values.steps ? Number(values.steps) : (STEPS[kind][backend] ?? 20));

/**
 * Runs each measurement `rounds` times, alternating them (A B C A B C ...), and keeps every round and the median
 * of each: on a shared VM a slow spell then hits every column instead of one.
 */
async function alternate<K extends string, T extends { steps: number }>(
  measure: Record<K, () => Promise<T>>,
  speed: (t: T) => number,
): Promise<Record<K, SpeedCell<T>>> {
  const all = {} as Record<K, { result: T; loadAverage: number }[]>;
  for (let r = 0; r < rounds; r++)
    for (const name of Object.keys(measure) as K[]) (all[name] ??= []).push({ result: await measure[name](), loadAverage: loadavg()[0]! });
  const out = {} as Record<K, SpeedCell<T>>;
  for (const name of Object.keys(all) as K[]) {
    const rs = all[name];
    const m = median(rs.map((r) => speed(r.result)));
    out[name] = {
      median: m,
      rounds: rs.map((r) => speed(r.result)),
      steps: rs[0]!.result.steps,
      loadAverages: rs.map((r) => r.loadAverage),
      results: rs.map((r) => r.result),
    };
  }
  return out;
}

execFileSync('node', ['scripts/prepare-data.mjs'], { stdio: 'inherit' });
const benchCommand = () =>
  `npm run bench -- ${process.argv
    .slice(2)
    .map((a) => (/^[\w.,=/:-]+$/.test(a) ? a : `'${a}'`))
    .join(' ')}`.trim();

/** What every result file starts with: when, the command, the commit, how long, the machine and its load at the end. */
const runRecord = (started: number, host: ReturnType<typeof machine>) => ({
  date: new Date().toISOString(),
  command: benchCommand(),
  commit: commit(),
  minutes: (Date.now() - started) / 60_000,
  machine: host,
  loadAverageAtEnd: loadavg(),
});

const minutes = Number(values.minutes);
if (allModels.includes('transformer') && minutes > 0) {
  const started = Date.now();
  const host = machine();
  const batch = values['xfmr-batch'] ? Number(values['xfmr-batch']) : undefined;
  const comparison = await familiesForMinutes(
    'wasm',
    minutes,
    Number(values['xfmr-lr']),
    Number(values['eval-seconds']),
    Number(values.target),
    batch,
  );
  const result = {
    ...runRecord(started, host),
    where: 'Node (tfjs-node is not used: the wasm backend as the page loads it)',
    comparison,
  };
  mkdirSync(values.out!, { recursive: true });
  const file = resultPath(values.out!, 'transformer');
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  console.log(`wrote ${file}`);
  process.exit(0);
}
if (!values['skip-build']) await build({ logLevel: 'warn' });
const server = await preview({ base: '/playground/', preview: { port: 0, host: '127.0.0.1' }, logLevel: 'warn' });
const port = (server.httpServer.address() as { port: number }).port;
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--headless=new', ...CHROMIUM_ARGS] });
const open = (backend: string): Promise<Page> => openPage(browser, port, backend);
const started = Date.now();
const host = machine(); // (its load average is the one at the start)

const environments: Record<string, unknown> = {};
const matmul: Record<string, unknown> = {};
const images: Record<string, unknown>[] = [];
const text: Record<string, unknown>[] = [];
const transformer: Record<string, unknown>[] = [];
const mainThread: Record<string, unknown>[] = [];
let timeToTarget: Record<string, unknown> | null = null;

async function imageSpeeds(page: Page, backend: string, kind: 'mlp' | 'cnn') {
  const n = steps(kind, backend);
  const run = (which: 'ours' | 'fit' | 'paced') =>
    page.evaluate(([k, w, s]) => globalThis.playgroundEngine.benchImageSpeed(k, w, s), [kind, which, n] as const);
  const cells = await alternate({ ours: () => run('ours'), fit: () => run('fit'), paced: () => run('paced') }, (t) => t.samplesPerSec);
  const row = { backend, model: kind, ...cells, ratio: cells.ours.median / cells.fit.median, pacedRatio: cells.ours.median / cells.paced.median };
  images.push(row);
  console.log(
    `${backend} ${kind}: ours ${cells.ours.median.toFixed(0)} samples/s [${cells.ours.rounds.map((r) => r.toFixed(0)).join(', ')}], ` +
      `model.fit ${cells.fit.median.toFixed(0)} [${cells.fit.rounds.map((r) => r.toFixed(0)).join(', ')}], ` +
      `paced ${cells.paced.median.toFixed(0)}: ${row.ratio.toFixed(2)}x (${row.pacedRatio.toFixed(2)}x paced), ${n} steps`,
  );
}

async function textSpeeds(page: Page, backend: string) {
  const n = steps('lstm', backend);
  const warm = backend === 'webgpu' ? 1 : 2;
  const run = (which: 'ours' | 'other' | 'fit' | 'lastChar') =>
    page.evaluate(([w, s, u]) => globalThis.playgroundEngine.benchTextSpeed(w, s, u), [which, n, warm] as const);
  const measure: Partial<Record<'ours' | 'fit' | 'lastChar' | 'other', () => Promise<SpeedResult>>> = {
    ours: () => run('ours'),
    fit: () => run('fit'),
    lastChar: () => run('lastChar'),
  };
  if (values['lstm-other']) measure.other = () => run('other');
  const cells = (await alternate(
    measure as Record<'ours' | 'fit' | 'lastChar' | 'other', () => Promise<SpeedResult>>,
    (t) => t.charsPerSec,
  )) as Record<'ours' | 'fit' | 'lastChar', SpeedCell<SpeedResult>> & { other?: SpeedCell<SpeedResult> };
  const row = { backend, ...cells, ratio: cells.ours.median / cells.fit.median, lastCharRatio: cells.ours.median / cells.lastChar.median };
  text.push(row);
  console.log(
    `${backend} char-LSTM: ours ${cells.ours.median.toFixed(0)} chars/s [${cells.ours.rounds.map((r) => r.toFixed(0)).join(', ')}], ` +
      `tfjs layers (model.fit) ${cells.fit.median.toFixed(0)} [${cells.fit.rounds.map((r) => r.toFixed(0)).join(', ')}]: ${row.ratio.toFixed(2)}x; ` +
      `last-character example ${cells.lastChar.median.toFixed(1)} chars/s`,
  );
}

// Timed steps per Transformer cell and round (after 1 warm-up step): a few seconds at least; 0: not measured unless
// --steps is given (a plain-ops small step takes minutes on cpu; SwiftShader's WebGPU and WebGL are slower still).
const TRANSFORMER_STEPS: Record<string, Record<TransformerPresetName, number>> = {
  webgpu: { tiny: 3, small: 0 },
  webgl: { tiny: 3, small: 1 },
  wasm: { tiny: 10, small: 2 },
  cpu: { tiny: 2, small: 0 },
};

async function transformerSpeeds(page: Page, backend: string) {
  const lr = Number(values['xfmr-lr']);
  for (const preset of presets) {
    const n = values.steps ? Number(values.steps) : (TRANSFORMER_STEPS[backend]?.[preset] ?? 0);
    if (!n) {
      console.log(`${backend} transformer ${preset}: not measured (give --steps to run it)`);
      transformer.push({ backend, preset, measured: false });
      continue;
    }
    const run = (which: 'ours' | 'plain') =>
      page.evaluate(([p, w, s, r]) => globalThis.playgroundEngine.benchTransformerSpeed(p, w, s, 1, r), [preset, which, n, lr] as const);
    const cells = await alternate({ ours: () => run('ours'), plain: () => run('plain') }, (t) => t.charsPerSec);
    const row = { backend, preset, model: TRANSFORMER_PRESETS[preset], lr, ...cells, ratio: cells.ours.median / cells.plain.median };
    transformer.push(row);
    console.log(
      `${backend} transformer ${preset}: ours ${cells.ours.median.toFixed(0)} chars/s [${cells.ours.rounds.map((r) => r.toFixed(0)).join(', ')}], ` +
        `plain ops + autodiff ${cells.plain.median.toFixed(0)} [${cells.plain.rounds.map((r) => r.toFixed(0)).join(', ')}]: ${row.ratio.toFixed(2)}x, ${n} steps a round`,
    );
  }
}

async function timesToTarget(fastest: (kind: string) => string) {
  const change = JSON.parse(values.change!) as { train?: Record<string, unknown>; model?: Record<string, unknown> };
  const maxSeconds = Number(values['max-seconds']);
  const result: Record<string, unknown> = { change, untilEnd: values['until-end'] };
  for (const kind of models.filter((m) => m !== 'lstm') as ('mlp' | 'cnn')[]) {
    const page = await open(fastest(kind));
    const t = await page.evaluate(([k, target, m, c]) => globalThis.playgroundEngine.benchTimeToAccuracy(k, target, m, c), [
      kind,
      ACCURACY_TARGET[kind],
      maxSeconds,
      { ...change, untilEnd: values['until-end'] },
    ] as const);
    result[kind] = { target: ACCURACY_TARGET[kind], ...t };
    console.log(
      `time to ${(ACCURACY_TARGET[kind] * 100).toFixed(1)} % validation accuracy, ${kind} on ${t.backend}: ${t.reached ? '' : 'not reached, '}${t.seconds.toFixed(0)} s, ` +
        `epoch ${t.epochs} (${(t.valAccuracy * 100).toFixed(2)} %); test accuracy at the end ${(t.testAccuracy * 100).toFixed(2)} %; ` +
        `validation by epoch ${t.curve.map((c) => (c.valAccuracy * 100).toFixed(2)).join(', ')}`,
    );
    await page.close();
  }
  if (models.includes('lstm')) {
    const page = await open(fastest('lstm'));
    result.lstm = await page.evaluate(([t, m]) => globalThis.playgroundEngine.benchTimeToLoss(t, m), [Number(values.target), maxSeconds] as const);
    console.log(`time to ${values.target} nats/char (validation):`, result.lstm);
    await page.close();
  }
  return result;
}

try {
  for (const backend of values['time-to-target-only'] ? [] : backends) {
    const page = await open(backend);
    const active = await page.getByTestId('active-backend').textContent();
    if (active !== backend) {
      console.log(`${backend}: not available here (page fell back to ${active})`);
      environments[backend] = { available: false, fellBackTo: active };
      await page.close();
      continue;
    }
    environments[backend] = await page.evaluate(() => globalThis.playgroundEngine.benchEnvironment());
    if (speedRuns) {
      matmul[backend] = await page.evaluate(() => globalThis.playgroundEngine.benchMatmul());
      const best = (matmul[backend] as { best: { gflops: number; m: number; k: number; n: number; kernel: string } }).best;
      console.log(`${backend}: best matmul ${best.gflops.toFixed(2)} GFLOP/s (${best.m}x${best.k}x${best.n}, ${best.kernel})`);
      for (const kind of models.filter((m) => m !== 'lstm') as ('mlp' | 'cnn')[]) await imageSpeeds(page, backend, kind);
    }
    for (const kind of values['skip-main-thread'] ? [] : (models as ('mlp' | 'cnn' | 'lstm')[])) {
      const inspectOpen = values['inspect-open']!;
      const main = await mainThreadDuringTraining(page, kind, backend, inspectOpen, Math.max(1, Number(values['main-thread-scale'])));
      mainThread.push({ backend, model: kind, inspectOpen, ...main });
      console.log(
        `${backend}: main thread during a ${main.seconds.toFixed(1)} s ${kind} run from the page${inspectOpen ? ' with Inspect open' : ''}${main.finished ? '' : ' (stopped after 600 s)'}: ` +
          `${main.longTasks} long tasks, ${main.longTaskMs.toFixed(0)} ms in all, longest ${main.maxTaskMs.toFixed(0)} ms` +
          main.attributed.map((a) => `\n  ${a}`).join(''),
      );
    }
    if (speedRuns && models.includes('lstm')) await textSpeeds(page, backend);
    if (speedRuns && allModels.includes('transformer')) await transformerSpeeds(page, backend);
    await page.close();
  }
  const maxSeconds = Number(values['max-seconds']);
  if (maxSeconds > 0 && !values['main-thread-only']) {
    // the backend our step ran fastest on for each model (the first listed when speeds were not measured)
    const fastest = (kind: string) => {
      const rows = (kind === 'lstm' ? text : images.filter((r) => r.model === kind)) as { backend: string; ours: { median: number } }[];
      return [...rows].sort((a, b) => b.ours.median - a.ours.median)[0]?.backend ?? backends[0]!;
    };
    timeToTarget = await timesToTarget(fastest);
  }
  const kind = values['main-thread-only'] ? 'main-thread' : values['time-to-target-only'] ? 'time-to-target' : 'speed';
  const result = {
    ...runRecord(started, host),
    rounds,
    browser: { chromium: browser.version(), args: CHROMIUM_ARGS },
    environments,
    matmul,
    images,
    text,
    transformer,
    mainThread,
    timeToTarget,
  };
  mkdirSync(values.out!, { recursive: true });
  const file = resultPath(values.out!, kind);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  printTables(result, file);
} finally {
  await browser.close();
  server.httpServer.close();
}
