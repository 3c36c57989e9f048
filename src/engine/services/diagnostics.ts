import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CHAR_MODEL } from '../config/charModel';
import type {
  AdamCheck,
  ApplyModelCheck,
  ImageSpeed,
  LstmCheck,
  MatMulCheck,
  PatchConvCheck,
  SpeedResult,
  TimeToAccuracy,
} from '../config/diagnostics';
import { CNN_PRESET, MLP_PRESET } from '../config/imageModel';
import { DEFAULT_TEXT_OPTIMIZER, DEFAULT_TEXT_TRAIN } from '../config/textTrain';
import { DEFAULT_TRAIN } from '../config/train';
import { checkFusedAdam } from '../kernels/adam/fused';
import { checkGpuMatMul } from '../kernels/matmul/webgpu';
import { OWN_MATMUL } from '../kernels/names';
import { benchImageBaseline, benchImageOurs, matmulPeak } from '../bench/imageBench';
import { benchBaseline, benchOurs } from '../bench/textBench';
import { fusedLstmPays } from '../families/charLstm/model';
import { imageTask } from '../families/images/task';
import { buildModel } from '../families/images/model';
import { checkPatchConv } from '../models/patchConv';
import { TextError } from '../text/corpus';
import { checkFusedLstm } from '../families/charLstm/lstmCheck';
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

  /** 'ours': our step as the page runs it on this backend; 'other': with the other LSTM path; 'baseline': plain model.fit. */
  async benchTextSpeed(which: 'ours' | 'other' | 'baseline', steps: number, warmup = 1): Promise<SpeedResult> {
    const text = this.ws.text;
    if (!text) throw new TextError('Load a text first.');
    if (which === 'baseline') return benchBaseline(text.corpus, DEFAULT_CHAR_MODEL.units, steps);
    const settings = { ...DEFAULT_TRAIN, ...DEFAULT_TEXT_OPTIMIZER };
    return benchOurs(text.corpus, DEFAULT_CHAR_MODEL, settings, warmup, steps, which === 'ours' ? fusedLstmPays() : !fusedLstmPays());
  }

  /** Training speed of a default image model (our step or plain model.fit) on the loaded data. */
  async benchImageSpeed(kind: 'mlp' | 'cnn', which: 'ours' | 'baseline', steps: number, warmup = 2): Promise<ImageSpeed> {
    return this.ws.exclusive(
      'benchmarking',
      async () => {
        const config = kind === 'mlp' ? MLP_PRESET : CNN_PRESET;
        const train = this.ws.imageData().train;
        return which === 'ours'
          ? benchImageOurs(config, train, DEFAULT_TRAIN, warmup, steps)
          : benchImageBaseline(config, train, DEFAULT_TRAIN, steps);
      },
      { whileTraining: 'Stop training before benchmarking.', hold: false },
    );
  }

  /** The backend's matmul rate, the yardstick for the training step's GFLOP/s. */
  async benchMatmul(n: number, reps: number): Promise<{ backend: string; n: number; gflops: number; kernel: 'ours' | 'tfjs' }> {
    return matmulPeak(n, reps);
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
   * images) to reach a test accuracy, the 10,000 test images evaluated after every epoch (their evaluation counts
   * in the time). Nothing is recorded as a run; the page's model is left as it was.
   */
  async benchTimeToAccuracy(kind: 'mlp' | 'cnn', target: number, maxSeconds: number): Promise<TimeToAccuracy> {
    return this.ws.exclusive('benchmarking', () => this.timeToAccuracy(kind, target, maxSeconds), {
      whileTraining: 'Training is already running; stop it first.',
      hold: false,
    });
  }

  private async timeToAccuracy(kind: 'mlp' | 'cnn', target: number, maxSeconds: number): Promise<TimeToAccuracy> {
    const data = this.ws.imageData();
    const config = { ...DEFAULT_TRAIN, epochs: 100 };
    const model = buildModel(kind === 'cnn' ? CNN_PRESET : MLP_PRESET, config.seed);
    const started = performance.now();
    const curve: TimeToAccuracy['curve'] = [];
    let reached = false;
    try {
      const trainer = new Trainer(imageTask(model, data.train, data.test, config), config, (e) => {
        if (e.type !== 'epoch') return;
        const seconds = (performance.now() - started) / 1000;
        curve.push({ epoch: e.point.epoch, seconds, testAccuracy: e.point.valAccuracy });
        if (e.point.valAccuracy >= target) reached = true;
        if (reached || seconds > maxSeconds) trainer.stop();
      });
      const result = await this.ws.runTrainer(trainer);
      if (result.reason === 'failed') throw new Error(result.error);
    } finally {
      model.dispose();
    }
    const last = curve[curve.length - 1] ?? { epoch: 0, seconds: NaN, testAccuracy: NaN };
    return { reached, seconds: last.seconds, epochs: last.epoch, testAccuracy: last.testAccuracy, backend: tf.getBackend(), curve };
  }
}
