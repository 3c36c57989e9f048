import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend, trySetBackend } from '../../../src/engine/backend/backends';
import { CLEARLY_FASTER, clearlyFastest, guessOrder, softwareAdapter } from '../../../src/engine/config/backends';

describe('backend selection', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('falls back in order and says why each earlier backend could not start', async () => {
    // Node has no navigator.gpu and no WebGL context: webgpu and webgl fail, wasm is not imported here, cpu wins.
    const state = await selectBackend();
    expect(state.active).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(state.failures.webgpu).toContain('navigator.gpu is missing');
    expect(state.failures.webgl).toBeTruthy();
    expect(state.failures.wasm).toBe('the wasm backend is not registered in this build');
    expect(state.failures.cpu).toBeUndefined();
  });

  it('honours a preferred backend that works and reports one that does not', async () => {
    expect((await selectBackend('cpu')).failures).toEqual({});
    expect(await trySetBackend('webgpu')).toContain('navigator.gpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});

describe('the best guess before anything is measured', () => {
  it('knows a software adapter or renderer from a GPU', () => {
    // what headless Chromium reports with --use-webgpu-adapter=swiftshader (measured on this machine)
    expect(softwareAdapter({ vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true })).toBe(
      'swiftshader',
    );
    expect(softwareAdapter({ vendor: 'mesa', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })).toBe('llvmpipe');
    expect(softwareAdapter({ vendor: 'unknown', isFallbackAdapter: true })).toBe('a fallback (CPU) adapter');
    expect(softwareAdapter({ vendor: 'nvidia', architecture: 'ampere', description: 'NVIDIA GeForce RTX 3080' })).toBeNull();
    expect(softwareAdapter('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe('SwiftShader');
    expect(softwareAdapter('ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)')).toBeNull();
    expect(softwareAdapter(null)).toBeNull();
  });

  it('puts WASM before any GPU backend that renders in software, and a real GPU first', () => {
    expect(guessOrder({})).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(guessOrder({ webgpu: 'swiftshader', webgl: 'SwiftShader' })).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
    expect(guessOrder({ webgpu: 'swiftshader' })).toEqual(['webgl', 'wasm', 'webgpu', 'cpu']);
  });

  it('moves a model kind to a measured backend only when it is clearly faster than the active one', () => {
    const timings = [
      { backend: 'wasm' as const, itemsPerSec: 1000 },
      { backend: 'webgpu' as const, itemsPerSec: 1150 },
      { backend: 'webgl' as const },
    ];
    expect(clearlyFastest(timings, 'wasm')).toBe('wasm'); // 1.15x: within noise, stay
    expect(clearlyFastest([...timings, { backend: 'cpu', itemsPerSec: 1000 * CLEARLY_FASTER }], 'wasm')).toBe('cpu');
    expect(clearlyFastest(timings, 'webgl')).toBe('webgpu'); // the active one failed to time: take the fastest
    expect(clearlyFastest([{ backend: 'webgl' }], 'wasm')).toBe('wasm'); // nothing timed: stay
  });
});
