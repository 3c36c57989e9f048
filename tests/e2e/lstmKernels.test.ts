import { describe, expect, it } from 'vitest';
import { openPlayground, useBrowser } from './browser';
import type { LstmCheck } from '../../src/engine/text/lstmCheck';
import type { MatMulCheck } from '../../src/engine/backend/gpuMatMul';
import type { ApplyModelCheck } from '../../src/engine/train/applyModel';

const browser = useBrowser();

const check = (backend: string) => async (): Promise<LstmCheck> => {
  const { page } = await openPlayground(browser(), `?backend=${backend}`);
  await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 120_000 }).toBe(backend);
  return page.evaluate(() =>
    (globalThis as unknown as { playgroundEngine: { checkFusedLstm(): Promise<LstmCheck> } }).playgroundEngine.checkFusedLstm(),
  );
};

describe('the fused char-LSTM on the GPU backends, against tfjs LSTM layers in the page', () => {
  it("runs its WGSL cell kernels on WebGPU with the layers' logits and gradients", async () => {
    const r = await check('webgpu')();
    expect(r.backend).toBe('webgpu');
    expect(r.cellKernels).toBe(true);
    expect(r.logits).toBeLessThan(1e-5);
    expect(r.loss).toBeLessThan(1e-5);
    expect(r.gradients).toBeLessThan(1e-3);
    expect(r.tensorsLeft).toBe(0);
  });

  it('runs as tfjs ops on WebGL (no cell kernels there) with the same results', async () => {
    const r = await check('webgl')();
    expect(r.backend).toBe('webgl');
    expect(r.cellKernels).toBe(false);
    expect(r.logits).toBeLessThan(1e-5);
    expect(r.gradients).toBeLessThan(1e-3);
    expect(r.tensorsLeft).toBe(0);
  });

  it("has WebGPU matmul and convolution kernels that give tfjs's results in every transpose case and padding, timed against tfjs's once", async () => {
    const { page } = await openPlayground(browser(), '?backend=webgpu');
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 120_000 }).toBe('webgpu');
    const r = await page.evaluate(() =>
      (
        globalThis as unknown as { playgroundEngine: { checkGpuMatMul(): Promise<MatMulCheck & { models: ApplyModelCheck[] }> } }
      ).playgroundEngine.checkGpuMatMul(),
    );
    expect(r.backend).toBe('webgpu');
    expect(r.cases).toHaveLength(4);
    for (const c of r.cases) expect(c.relError, `${c.shape} transposeA ${c.transposeA} transposeB ${c.transposeB}`).toBeLessThan(1e-5);
    expect(r.convCases).toHaveLength(2);
    for (const c of r.convCases) {
      expect(c.relError, `conv ${c.shape} ${c.padding}`).toBeLessThan(1e-5);
      expect(c.dxRelError, `conv dx ${c.shape} ${c.padding}`).toBeLessThan(1e-5);
      expect(c.dwRelError, `conv dw ${c.shape} ${c.padding}`).toBeLessThan(1e-5);
    }
    // the default MLP and CNN through our kernels (where chosen) give the layers' outputs and weight gradients
    expect(r.models.map((m) => m.model)).toEqual(['mlp', 'cnn']);
    for (const m of r.models) {
      expect(m.ownPath).toBe(r.choice!.chosen);
      expect(m.outputRelError, `${m.model} outputs`).toBeLessThan(1e-5);
      expect(m.gradientRelError, `${m.model} gradients`).toBeLessThan(1e-4);
    }
    // the choice was measured when the backend started: two shapes, both kernels
    expect(r.choice?.own).toHaveLength(2);
    expect(r.choice?.tfjs).toHaveLength(2);
    expect(r.choice?.chosen).toBe(r.choice!.own.every((t, i) => t < r.choice!.tfjs[i]!));
  });
});
