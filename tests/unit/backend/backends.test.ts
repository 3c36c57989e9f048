import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend, trySetBackend } from '../../../src/engine/backend/backends';

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
