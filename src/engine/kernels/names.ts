// Every kernel name of our own, in one place: the per-op files register under these names, the models and the
// checks run them through tf.engine().runKernel. (Patches to stock tfjs kernels, stockFixes/, keep tfjs's names.)

/** 2-D matmul C = op(A) op(B), op = transpose when the flag is set (matmul/cpu.ts, matmul/webgpu.ts). */
export const OWN_MATMUL = 'PlaygroundMatMul';

/** Stride-1, dilation-1, NHWC 2-D convolution, forward only; its gradient is tfjs's two backprop kernels (conv/webgpu.ts). */
export const OWN_CONV = 'PlaygroundConv2D';

/** One Adam update of a variable from its moments and gradient (adam/cpu.ts, adam/gpu.ts; run by adam/fused.ts). */
export const ADAM_KERNEL = 'PlaygroundAdam';

/** Patches of a stride-1 NHWC image as rows, and their sum back into an image: a convolution as one matmul (patches/). */
export const IM2COL = 'PlaygroundIm2Col';
export const COL2IM = 'PlaygroundCol2Im';
/** 2 x 2 max pooling with stride 2 ('valid'), which also returns where each maximum came from, and its gradient (patches/cpu.ts). */
export const MAX_POOL2 = 'PlaygroundMaxPool2';
export const MAX_POOL2_GRAD = 'PlaygroundMaxPool2Grad';

/** The elementwise part of one char-LSTM step: the new c and h, and backward dz and dc_prev (lstmCell/). */
export const CELL_C = 'PlaygroundLstmCellC';
export const CELL_H = 'PlaygroundLstmCellH';
export const CELL_DZ = 'PlaygroundLstmCellDz';
export const CELL_DC = 'PlaygroundLstmCellDc';

/** Row-wise concatenation of 2-D tensors with an even number of rows each, WebGL, packed (concat/webgl.ts). */
export const CONCAT_ROWS = 'PlaygroundConcatRows';

/** Layer norm over the last axis of [N, d], forward (y, xhat, rstd) and backward (dx, dg, db): cpu (layerNorm/cpu.ts), WebGPU and WebGL (transformer/). */
export const LAYER_NORM = 'PlaygroundLayerNorm';
export const LAYER_NORM_GRAD = 'PlaygroundLayerNormGrad';

/** GELU (tanh approximation) and its gradient dy * GELU'(x), elementwise: cpu (layerNorm/cpu.ts), WebGPU and WebGL (transformer/). */
export const GELU = 'PlaygroundGelu';
export const GELU_GRAD = 'PlaygroundGeluGrad';

/** Softmax over the last axis of attention scores [BH, T, T] with the causal mask applied inside (key j > query i: 0), and its backward (transformer/webgpu.ts). */
export const CAUSAL_SOFTMAX = 'PlaygroundCausalSoftmax';
export const CAUSAL_SOFTMAX_GRAD = 'PlaygroundCausalSoftmaxGrad';

/** Sum of a 2-D tensor's rows (axis 0), one column per invocation: a bias gradient (transformer/webgpu.ts). */
export const COLUMN_SUM = 'PlaygroundColumnSum';

/** Batched matmul [b, m, k] x [b, k, n] with transpose flags, no workgroup memory (matmul/webgpu.ts). */
export const OWN_BATCH_MATMUL = 'PlaygroundBatchMatMul';
