/** Results of the benchmarks (npm run bench) and of the engine's self-checks of its own kernels. */
/**
 * benchTimeToAccuracy's answer: the wall time at the first epoch whose validation accuracy (the held-out part of
 * the training set) reached the target, and the test accuracy measured once, after training stopped.
 */
export interface TimeToAccuracy {
  reached: boolean;
  seconds: number;
  epochs: number;
  valAccuracy: number;
  /** the 10,000 test images, evaluated once at the end (not part of the time) */
  testAccuracy: number;
  backend: string;
  curve: { epoch: number; seconds: number; valAccuracy: number }[];
}

/** One product timed by matmulRates. */
interface MatmulRate {
  m: number;
  k: number;
  n: number;
  kernel: 'ours' | 'tfjs';
  ms: number;
  gflops: number;
}

export interface MatmulRates {
  backend: string;
  best: MatmulRate;
  shapes: MatmulRate[];
  /** whose kernel the training steps' matmuls run through on this backend */
  stepMatmul: 'ours' | 'tfjs';
}

/** What the bench records of the backend it ran on (npm run bench's JSON). */
export interface BenchEnvironment {
  backend: string;
  /** WebGPU: the adapter's vendor, architecture, device and description; WebGL: the unmasked renderer and version */
  adapter: Record<string, string>;
  /** WASM: SIMD, threads (cross-origin isolated pages get tfjs's threaded binary) */
  wasm?: { simd: boolean; threads: number };
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  userAgent: string;
}

export interface ImageSpeed {
  backend: string;
  samplesPerSec: number;
  /** Achieved arithmetic rate of the training step (bench/flops.ts: the matmul and convolution FLOPs it computes). */
  gflops: number;
  stepMs: number;
  steps: number;
  tensorsBefore: number;
  tensorsAfter: number;
  bytesBefore: number;
  bytesAfter: number;
}

export interface SpeedResult {
  backend: string;
  /** predicted characters per second */
  charsPerSec: number;
  stepMs: number;
  steps: number;
  tensorsBefore: number;
  tensorsAfter: number;
  /** Achieved arithmetic rate (bench/flops.ts: the matmul FLOPs the step computes per predicted character). */
  gflops: number;
  /** Our step only: whether the LSTM ran as the fused sequence or through tfjs's LSTM layers. */
  lstmPath?: 'fused' | 'layers';
}

/** Largest |ours - tfjs| relative to the largest |tfjs| of patchConv2d's output and gradients against tf.conv2d. */
export interface PatchConvCheck {
  padding: 'same' | 'valid';
  outputRelError: number;
  inputGradRelError: number;
  filterGradRelError: number;
}

export interface ApplyModelCheck {
  model: 'mlp' | 'cnn';
  /** whether applyModel took our kernels' path (false: it was model.apply itself, and the errors are 0) */
  ownPath: boolean;
  /** largest |ours - tfjs| relative to the largest |tfjs|: outputs, and the gradient of sum(y * r) for every weight */
  outputRelError: number;
  gradientRelError: number;
}

export interface LstmCheck {
  backend: string;
  /** Whether the fused path ran with the single-kernel cell (else as tfjs ops). */
  cellKernels: boolean;
  /** Whether the per-step blocks were joined by our CONCAT_ROWS kernel (WebGL, even batch) rather than tf.concat. */
  concatKernel: boolean;
  /** Largest |logit difference| between the fused path and tfjs's LSTM layers. */
  logits: number;
  loss: number;
  /** Largest gradient difference of any weight, relative to that weight's largest gradient. */
  gradients: number;
  tensorsLeft: number;
}

/** The fused char-Transformer step against plain ops and autodiff on the active backend (families/charTransformer/check.ts). */
export interface TransformerCheck {
  backend: string;
  /** Which of our kernels the fused path ran (else tf ops): WebGPU has them all, WebGL its shaders, cpu its loops. */
  kernels: { layerNorm: boolean; gelu: boolean; causalSoftmax: boolean; columnSum: boolean; batchMatMul: boolean };
  /** Loss of the fused path and of the plain one. */
  losses: [number, number];
  /** Per weight: largest gradient difference relative to that weight's largest plain gradient. */
  gradients: Record<string, number>;
  /** Our batched matmul (WebGPU) against tf.matMul on [3, 7, 5] x [3, 5, 6] in every transpose case; null where absent. */
  batchMatMulError: number | null;
  tensorsLeft: number;
}

export interface AdamCheck {
  backend: string;
  /** ADAM_KERNEL is registered on this backend, so FusedAdam ran it */
  kernel: boolean;
  /** max relative error of the weights and of both moments after 5 steps, FusedAdam against tf.train.adam */
  weights: number;
  moments: number;
  /** the loss fell under FusedAdam */
  lossFell: boolean;
  tensorsLeft: number;
}

export interface MatMulChoice {
  /** ms per product of each shape timed, ours and tfjs's */
  own: number[];
  tfjs: number[];
  /** whether our kernel runs the training steps' matmuls on this WebGPU device */
  chosen: boolean;
}

export interface MatMulCheck {
  backend: string;
  /** largest |ours - tfjs| over each case, relative to the largest |tfjs| entry */
  cases: { shape: string; transposeA: boolean; transposeB: boolean; relError: number }[];
  /** our convolution (kernels/conv/webgpu.ts) against tf.conv2d: output, and the gradients of sum(y * r) for x and the filter */
  convCases: { shape: string; padding: 'same' | 'valid'; relError: number; dxRelError: number; dwRelError: number }[];
  choice: MatMulChoice | null;
}
