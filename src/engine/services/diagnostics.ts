import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CHAR_MODEL } from '../config/charModel';
import type {
  AdamCheck,
  ApplyModelCheck,
  BenchEnvironment,
  ImageSpeed,
  LstmCheck,
  MatMulCheck,
  MatmulRates,
  PatchConvCheck,
  SpeedResult,
  TimeToAccuracy,
  TransformerCheck,
} from '../config/diagnostics';
import { CNN_PRESET, MLP_PRESET, type ModelConfig } from '../config/imageModel';
import { DEFAULT_TEXT_OPTIMIZER, DEFAULT_TEXT_TRAIN } from '../config/textTrain';
import { DEFAULT_TRAIN, type TrainConfig } from '../config/train';
import { checkFusedAdam } from '../kernels/adam/fused';
import { checkGpuMatMul } from '../kernels/matmul/webgpu';
import { OWN_MATMUL } from '../kernels/names';
import { benchImageBaseline, benchImageOurs, matmulRates } from '../bench/imageBench';
import { benchLastChar, benchLayersFit, benchOurs } from '../bench/textBench';
import { benchEnvironment } from '../bench/environment';
import { benchTransformerStep } from '../bench/transformerBench';
import { TRANSFORMER_PRESETS, type TransformerPresetName } from '../config/charTransformer';
import { evaluateSet } from '../train/deviceData';
import { fusedLstmPays } from '../families/charLstm/model';
import { imageTask } from '../families/images/task';
import { buildModel } from '../families/images/model';
import { checkPatchConv } from '../models/patchConv';
import { TextError } from '../text/corpus';
import { checkFusedLstm } from '../families/charLstm/lstmCheck';
import { checkFusedTransformer } from '../families/charTransformer/check';
import { checkApplyModel } from '../train/applyModel';
import { Trainer } from '../train/trainer';
import type { TextService } from './text';
import type { Workspace } from './workspace';

/** `npm run bench` and the self-checks of our kernels against tfjs's (the e2e suite runs them on WebGL and WebGPU). */
export class DiagnosticsService {
  constructor(
    private readonly ws: Workspace,
    private readonly text: TextService,
  ) {}

  /**
   * Predicted characters per second of the default char-LSTM. 'ours': our step as the page runs it on this
   * backend; 'other': our step with the other LSTM path; 'fit': tfjs's LSTM layers on the same task through
   * model.fit (the baseline); 'lastChar': the tfjs-examples approach, one predicted character per window.
   */
  async benchTextSpeed(which: 'ours' | 'other' | 'fit' | 'lastChar', steps: number, warmup = 1): Promise<SpeedResult> {
    const text = this.ws.text;
    if (!text) throw new TextError('Load a text first.');
    const settings = { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER };
    if (which === 'lastChar') return benchLastChar(text.corpus, DEFAULT_CHAR_MODEL.units, steps, warmup);
    if (which === 'fit') return benchLayersFit(text.corpus, DEFAULT_CHAR_MODEL, settings, steps, warmup);
    return benchOurs(text.corpus, DEFAULT_CHAR_MODEL, settings, warmup, steps, which === 'ours' ? fusedLstmPays() : !fusedLstmPays());
  }

  /**
   * Predicted characters per second of a char-Transformer preset on the loaded text with the Text tab's settings
   * (batch 64, AdamW at `lr`): 'ours' (the page's fused step) or 'plain' (plain tfjs ops and autodiff, the baseline).
   */
  async benchTransformerSpeed(preset: TransformerPresetName, which: 'ours' | 'plain', steps: number, warmup = 1, lr = 0.01): Promise<SpeedResult> {
    if (!this.ws.text) throw new TextError('Load a text first.');
    const text = this.ws.text;
    const settings = { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, learningRate: lr };
    return this.ws.exclusive(
      'benchmarking',
      () =>
        benchTransformerStep(this.ws.textData(), text.corpus.info.vocabSize, TRANSFORMER_PRESETS[preset], settings, which === 'ours', warmup, steps),
      { whileTraining: 'Stop training before benchmarking.', hold: false },
    );
  }

  /**
   * Training speed of a default image model on the loaded data: 'ours' (our step), 'fit' (plain model.fit, no
   * per-batch wait: the baseline) or 'paced' (model.fit awaiting tf.nextFrame() after every batch, as the tfjs examples).
   */
  async benchImageSpeed(kind: 'mlp' | 'cnn', which: 'ours' | 'fit' | 'paced', steps: number, warmup = 2): Promise<ImageSpeed> {
    return this.ws.exclusive(
      'benchmarking',
      async () => {
        const config = kind === 'mlp' ? MLP_PRESET : CNN_PRESET;
        const train = this.ws.imageData().train;
        return which === 'ours'
          ? benchImageOurs(config, train, DEFAULT_TRAIN, warmup, steps)
          : benchImageBaseline(config, train, DEFAULT_TRAIN, steps, which === 'fit' ? 'none' : 'frame', warmup);
      },
      { whileTraining: 'Stop training before benchmarking.', hold: false },
    );
  }

  /** The backend's best matmul rate over several shapes, the yardstick for the training steps' GFLOP/s. */
  async benchMatmul(): Promise<MatmulRates> {
    return matmulRates();
  }

  /** The active backend's adapter (WebGPU, WebGL), WASM's SIMD and threads, and the worker's context. */
  async benchEnvironment(): Promise<BenchEnvironment> {
    return benchEnvironment();
  }

  async checkGpuMatMul(): Promise<MatMulCheck & { models: ApplyModelCheck[] }> {
    if (!tf.getKernel(OWN_MATMUL, tf.getBackend()))
      throw new Error(`Our matmul kernel runs on WebGPU only; the active backend is ${tf.getBackend()}.`);
    return { ...(await checkGpuMatMul()), models: await checkApplyModel() };
  }

  /** odd: 1 layer, batch 3, 5 steps, 7 units (WebGL's cell kernels take their per-value path for odd sizes). */
  async checkFusedLstm(odd = false): Promise<LstmCheck> {
    return odd ? checkFusedLstm(1, 3, 5, 7) : checkFusedLstm();
  }

  /** The fused char-Transformer step against plain ops and autodiff on the active backend, with and without dropout. */
  async checkFusedTransformer(): Promise<TransformerCheck[]> {
    return [checkFusedTransformer(0), checkFusedTransformer(0.2)];
  }

  async checkFusedAdam(): Promise<AdamCheck> {
    return checkFusedAdam();
  }

  async checkPatchConv(): Promise<{ conv: PatchConvCheck[]; models: ApplyModelCheck[] }> {
    return { conv: await checkPatchConv(), models: await checkApplyModel() };
  }

  /** Wall time for the default char-LSTM and settings to reach a validation loss (nats/char). */
  async benchTimeToLoss(
    target: number,
    maxSeconds: number,
  ): Promise<{ reached: boolean; seconds: number; steps: number; valLoss: number; backend: string }> {
    const started = performance.now();
    let best = { seconds: NaN, steps: 0, valLoss: Infinity };
    let reached = false;
    const config = { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER, epochs: 1000 };
    await this.text.trainText(DEFAULT_CHAR_MODEL, config, { ...DEFAULT_TEXT_TRAIN, evalEvery: 50, sampleLength: 0 }, (e) => {
      if (e.type !== 'epoch') return;
      const seconds = (performance.now() - started) / 1000;
      best = { seconds, steps: e.point.step, valLoss: e.point.valLoss };
      if (e.point.valLoss <= target) reached = true;
      if (reached || seconds > maxSeconds) this.ws.trainer?.stop();
    });
    return { reached, ...best, backend: tf.getBackend() };
  }

  /**
   * Wall time for the default MLP or CNN with the page's default settings (training on the 55,000 non-validation
   * images) to reach a validation accuracy (the 5,000 held-out training images, evaluated after every epoch, their
   * time included); training stops at the first epoch that reaches it (unless `untilEnd`), or at the settings'
   * last epoch, or after maxSeconds. The 10,000 test images are evaluated once, after training stops. `change`
   * alters the defaults (e.g. epochs, schedule, dropout) for re-checking them on validation. Nothing is recorded
   * as a run; the page's model is left as it was.
   */
  async benchTimeToAccuracy(
    kind: 'mlp' | 'cnn',
    target: number,
    maxSeconds: number,
    change: { train?: Partial<TrainConfig>; model?: Partial<ModelConfig>; untilEnd?: boolean } = {},
  ): Promise<TimeToAccuracy> {
    return this.ws.exclusive('benchmarking', () => this.timeToAccuracy(kind, target, maxSeconds, change), {
      whileTraining: 'Training is already running; stop it first.',
      hold: false,
    });
  }

  private async timeToAccuracy(
    kind: 'mlp' | 'cnn',
    target: number,
    maxSeconds: number,
    change: { train?: Partial<TrainConfig>; model?: Partial<ModelConfig>; untilEnd?: boolean },
  ): Promise<TimeToAccuracy> {
    const data = this.ws.imageData();
    const config = { ...DEFAULT_TRAIN, ...change.train };
    const model = buildModel({ ...(kind === 'cnn' ? CNN_PRESET : MLP_PRESET), ...change.model } as ModelConfig, config.seed);
    const started = performance.now();
    const curve: TimeToAccuracy['curve'] = [];
    let reachedAt: TimeToAccuracy['curve'][number] | null = null;
    try {
      const trainer = new Trainer(imageTask(model, data.train, data.validation, config), config, (e) => {
        if (e.type !== 'epoch') return;
        const point = { epoch: e.point.epoch, seconds: (performance.now() - started) / 1000, valAccuracy: e.point.valAccuracy };
        curve.push(point);
        if (!reachedAt && point.valAccuracy >= target) reachedAt = point;
        if ((reachedAt && !change.untilEnd) || point.seconds > maxSeconds) trainer.stop();
      });
      const result = await this.ws.runTrainer(trainer);
      if (result.reason === 'failed') throw new Error(result.error);
      const test = await evaluateSet(model, data.test);
      const at = reachedAt ?? curve[curve.length - 1] ?? { epoch: 0, seconds: NaN, valAccuracy: NaN };
      return { reached: reachedAt !== null, ...at, epochs: at.epoch, testAccuracy: test.accuracy, backend: tf.getBackend(), curve };
    } finally {
      model.dispose();
    }
  }
}
