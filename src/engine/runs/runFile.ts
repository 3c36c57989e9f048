/**
 * The schema of NAME-vN.run.json, a run as the Runs panel exports it: the stored record (settings, data identity,
 * curves, figures) and, from format 2 on, where its checkpoint stood (step, random draws, dropout masks, seconds).
 * The checkpoint's weights and optimizer state travel beside it in the layers format (modelJson.ts).
 */
import * as v from 'valibot';
import { ACTIVATIONS } from '../config/imageModel';
import { validateModelConfig } from '../config/validateImageModel';
import { LR_SCHEDULES, OPTIMIZERS, validateTrainConfig } from '../config/train';
import { validateCharConfig } from '../config/charModel';
import { validateTransformerConfig } from '../config/charTransformer';
import { validateTextTrainConfig } from '../config/textTrain';
import { validateCorpusOptions } from '../config/corpus';
import type { RunRecord } from '../config/runs';
import { finiteNumber, parseOr, plainObject, wholeNumber } from '../config/schema';

export class RunFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFileError';
  }
}

export const RUN_FORMAT = 'nn-playground-run';
/** 2: the checkpoint's position (checkpoint) and its optimizer state (in the weights, group "optimizer"). */
export const RUN_FORMAT_VERSION = 2;

/** A figure JSON may have written as null (a NaN loss becomes null in JSON.stringify): read back as NaN. */
const figure = v.pipe(
  v.nullable(v.number()),
  v.transform((n) => n ?? NaN),
);
const rate = v.pipe(v.number(), v.minValue(0, 'a rate from 0'), v.maxValue(1, 'a rate up to 1'));
const dense = v.object({ units: wholeNumber(1), activation: v.picklist(ACTIVATIONS) });
const conv = v.object({
  filters: wholeNumber(1),
  kernelSize: wholeNumber(1),
  padding: v.picklist(['same', 'valid']),
  activation: v.picklist(ACTIVATIONS),
  pool: v.picklist(['max', 'avg', 'none']),
});
const modelConfig = v.variant('kind', [
  v.object({ kind: v.literal('mlp'), hidden: v.array(dense), dropout: rate }),
  v.object({ kind: v.literal('cnn'), blocks: v.array(conv), dense: v.array(dense), dropout: rate }),
  v.object({
    kind: v.literal('charLstm'),
    embedding: wholeNumber(1),
    layers: wholeNumber(1),
    units: wholeNumber(1),
    dropout: rate,
    window: wholeNumber(2),
  }),
  v.object({
    kind: v.literal('charTransformer'),
    layers: wholeNumber(1),
    heads: wholeNumber(1),
    width: wholeNumber(1),
    context: wholeNumber(2),
    dropout: rate,
    tied: v.boolean(),
  }),
]);
const trainConfig = v.object({
  optimizer: v.picklist(OPTIMIZERS),
  learningRate: finiteNumber,
  lrSchedule: v.picklist(LR_SCHEDULES),
  batchSize: wholeNumber(1),
  epochs: wholeNumber(1),
  l1: finiteNumber,
  l2: finiteNumber,
  seed: wholeNumber(0),
  metricsEvery: wholeNumber(1),
  trainLimit: wholeNumber(0),
});
const textConfig = v.object({
  clipNorm: finiteNumber,
  evalEvery: wholeNumber(1),
  valFraction: finiteNumber,
  sampleLength: wholeNumber(0),
  maxValWindows: wholeNumber(1),
});
const task = v.picklist(['images', 'text']);
const time = v.pipe(
  v.string(),
  v.check((s) => !Number.isNaN(Date.parse(s)), 'a date and time (ISO 8601)'),
);

const runFile = v.object({
  format: v.literal(RUN_FORMAT),
  formatVersion: v.picklist([1, RUN_FORMAT_VERSION]),
  version: wholeNumber(1),
  name: v.pipe(v.string(), v.trim(), v.minLength(1, 'a name of at least one character'), v.maxLength(100, 'a name of at most 100 characters')),
  task,
  modelKind: v.picklist(['mlp', 'cnn', 'charLstm', 'charTransformer']),
  createdAt: time,
  updatedAt: time,
  status: v.picklist(['running', 'finished', 'stopped', 'failed', 'interrupted', 'elsewhere']),
  dataset: v.object({
    task,
    name: v.string(),
    size: wholeNumber(0),
    fingerprint: v.pipe(v.string(), v.regex(/^[0-9a-f]{8}$/, 'eight hexadecimal digits')),
  }),
  step: wholeNumber(0),
  totalSteps: wholeNumber(1),
  checkpointStep: v.nullable(wholeNumber(0)),
  metric: v.nullable(v.object({ name: v.string(), value: figure })),
  backend: v.string(),
  error: v.nullable(v.string()),
  model: v.nullable(modelConfig),
  topology: v.nullable(plainObject),
  train: trainConfig,
  text: v.nullable(textConfig),
  vocab: v.nullable(
    v.object({
      chars: v.pipe(v.array(v.string()), v.minLength(2, 'at least 2 characters')),
      options: v.object({ lowercase: v.boolean(), maxVocab: wholeNumber(0, 65535) }),
    }),
  ),
  steps: v.array(v.object({ step: wholeNumber(1), epoch: wholeNumber(0), loss: figure, accuracy: figure })),
  epochs: v.array(
    v.object({ step: wholeNumber(0), epoch: wholeNumber(0), valLoss: figure, valAccuracy: figure, seconds: figure, numTensors: wholeNumber(0) }),
  ),
  checkpoint: v.optional(
    v.nullable(
      v.object({
        step: wholeNumber(0),
        epoch: wholeNumber(0),
        seconds: v.pipe(finiteNumber, v.minValue(0, 'a number of seconds from 0')),
        randomCalls: wholeNumber(0),
        dropoutCalls: v.array(wholeNumber(0)),
      }),
    ),
  ),
});

export type RunFile = v.InferOutput<typeof runFile>;

/** The settings of each task, against the engine's own validators: the first problem, or null. */
function settingsProblem(r: RunFile): string | null {
  const images = r.task === 'images';
  if (r.dataset.task !== r.task) return `dataset.task is "${r.dataset.task}" but the run's task is "${r.task}".`;
  if (images !== (r.modelKind === 'mlp' || r.modelKind === 'cnn')) return `modelKind "${r.modelKind}" is not a model of the ${r.task} task.`;
  if (r.model && r.model.kind !== r.modelKind) return `model.kind is "${r.model.kind}" but modelKind is "${r.modelKind}".`;
  if (images && !r.model && !r.topology) return 'an image run needs its model settings or its topology; both are null.';
  if (!images && (!r.model || !r.text || !r.vocab)) return 'a char model run needs model, text and vocab; one of them is null.';
  const model = !r.model
    ? []
    : r.model.kind === 'charLstm'
      ? validateCharConfig(r.model)
      : r.model.kind === 'charTransformer'
        ? validateTransformerConfig(r.model)
        : validateModelConfig(r.model);
  const problems = [...model, ...validateTrainConfig(r.train), ...(r.text ? validateTextTrainConfig(r.text) : [])];
  if (r.vocab) problems.push(...validateCorpusOptions(r.vocab.options));
  return problems[0] ?? null;
}

/** Steps and the checkpoint against each other: none past the run's end, the checkpoint where the record says. */
function progressProblem(r: RunFile): string | null {
  if (r.step > r.totalSteps) return `step ${r.step} is past totalSteps ${r.totalSteps}.`;
  if (r.checkpointStep !== null && r.checkpointStep > r.step) return `checkpointStep ${r.checkpointStep} is past step ${r.step}.`;
  const cp = r.checkpoint;
  if (r.formatVersion === 1 || r.checkpointStep === null) return null;
  if (!cp) return `checkpoint is missing; a format ${RUN_FORMAT_VERSION} run with a checkpoint says where it stood.`;
  if (cp.step !== r.checkpointStep) return `checkpoint.step ${cp.step} is not checkpointStep ${r.checkpointStep}.`;
  // the random source is replayed draw by draw on resume: no more draws than shuffles (images) and windows (text) take
  const most = (cp.epoch + 1) * r.dataset.size + cp.step * r.train.batchSize;
  if (cp.randomCalls > most) return `checkpoint.randomCalls ${cp.randomCalls} is more draws than this run can have made (at most ${most}).`;
  return null;
}

/** A parsed .run.json checked field by field and against itself; every problem is a RunFileError naming the field. */
export function parseRunFile(input: unknown, fileName: string): RunFile {
  const fail = (m: string) => new RunFileError(m);
  if ((input as { format?: unknown } | null)?.format !== RUN_FORMAT) {
    throw fail(`${fileName} is not a run exported by this page (its "format" is not "${RUN_FORMAT}").`);
  }
  const r = parseOr(runFile, input, fileName, fail);
  const problem = settingsProblem(r) ?? progressProblem(r);
  if (problem) throw fail(`${fileName}: ${problem}`);
  return r;
}

/** The stored record of an imported run: a new id and version; the rest as exported (status as stored there). */
export function importedRecord(r: RunFile, id: string, version: number, checkpointStep: number | null): RunRecord {
  const { format: _f, formatVersion: _v, checkpoint: _c, ...fields } = r;
  // only stored statuses: what was listed as training elsewhere or interrupted was stored as running
  const status = fields.status === 'interrupted' || fields.status === 'elsewhere' ? 'running' : fields.status;
  return { ...fields, id, version, status, checkpointStep, topology: r.topology };
}
