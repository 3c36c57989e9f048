import * as tf from '@tensorflow/tfjs';
import type { CharLstmConfig } from '../../config/charModel';
import { ModelConfigError } from '../../models/summary';

/** What the browser and the backend say about memory; null where they say nothing (Node, WebGL, WASM). */
export interface DeviceMemory {
  /** navigator.deviceMemory in bytes: the machine's RAM, rounded (Chromium: 0.25 to 8 GB). */
  ram: number | null;
  /** WebGPU's maxStorageBufferBindingSize: the largest tensor a shader can read. */
  maxBuffer: number | null;
}

/** Reads what the page can know: navigator.deviceMemory (a worker has it too) and the WebGPU device's limits. */
export function deviceMemory(): DeviceMemory {
  const gb = (globalThis as { navigator?: { deviceMemory?: unknown } }).navigator?.deviceMemory;
  const device =
    tf.getBackend() === 'webgpu' ? (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device : undefined;
  return {
    ram: typeof gb === 'number' && gb > 0 ? gb * 1e9 : null,
    maxBuffer: device?.limits?.maxStorageBufferBindingSize ?? null,
  };
}

/** A browser tab gets about this share of the machine's memory before it is killed. */
const TAB_SHARE = 0.5;

const gigabytes = (n: number) => `${Number((n / 1e9).toFixed(n < 1e9 ? 2 : 1))} GB`;

/**
 * The memory a char-LSTM's training takes at its peak, from its settings: weights, gradients and Adam's two moments
 * (4 copies of the parameters) and a step's activations, about 75 floats per unit of every layer for each of the
 * batch x window positions (the fused sequence's gates, states and their gradients, the joined per-step blocks) plus
 * 5 per character of the vocabulary (logits, softmax, gradients). The factors come from tf.profile's peak bytes of one
 * step on the cpu backend at three sizes (1 to 3 layers of 64 to 256 units), which they match within 15 %.
 */
export function charLstmFootprint(c: CharLstmConfig, vocabSize: number, batch: number): { parameters: number; bytes: number; largest: number } {
  const { embedding: e, units: u, layers, window: t } = c;
  const lstm = (inputs: number) => 4 * u * (inputs + u) + 4 * u;
  const parameters = vocabSize * e + lstm(e) + (layers - 1) * lstm(u) + u * vocabSize + vocabSize;
  const rows = t * batch;
  return {
    parameters,
    bytes: 16 * parameters + 4 * rows * (e + 75 * layers * u + 5 * vocabSize),
    // the per-step blocks joined into one [T*B, 4U] tensor, the logits, or the largest kernel
    largest: 4 * Math.max(rows * 4 * u, rows * vocabSize, (Math.max(e, u) + u) * 4 * u),
  };
}

/** Refuses a char-LSTM that the device says it cannot train, with the figures; silent where it says nothing. */
export function checkCharLstmMemory(c: CharLstmConfig, vocabSize: number, batch: number, device: DeviceMemory = deviceMemory()): void {
  const f = charLstmFootprint(c, vocabSize, batch);
  const what = `This char-LSTM (${(f.parameters / 1e6).toFixed(1)} million parameters, batch ${batch}, window ${c.window})`;
  const smaller = 'Choose a smaller preset, fewer units or layers, or a smaller batch.';
  if (device.ram !== null && f.bytes > TAB_SHARE * device.ram) {
    throw new ModelConfigError([
      `${what} needs about ${gigabytes(f.bytes)} to train; this device reports ${gigabytes(device.ram)} of memory, and a browser tab gets about half of it. ${smaller}`,
    ]);
  }
  if (device.maxBuffer !== null && f.largest > device.maxBuffer) {
    throw new ModelConfigError([
      `${what} needs a ${gigabytes(f.largest)} tensor; this GPU's largest buffer is ${gigabytes(device.maxBuffer)}. ${smaller}`,
    ]);
  }
}
