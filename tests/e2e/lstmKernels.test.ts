import { describe, expect, it } from 'vitest';
import { fillSettings, openPlayground, useBrowser } from './browser';
import type { LstmCheck, MatMulCheck, ApplyModelCheck, AdamCheck, PatchConvCheck, TransformerCheck } from '../../src/engine/config/diagnostics';

const browser = useBrowser();

type Engine = {
  checkFusedLstm(odd?: boolean): Promise<LstmCheck>;
  checkFusedAdam(): Promise<AdamCheck>;
  checkFusedTransformer(): Promise<TransformerCheck[]>;
};

const check = (backend: string) => async (): Promise<LstmCheck & { odd: LstmCheck; adam: AdamCheck; transformer: TransformerCheck[] }> => {
  const { page } = await openPlayground(browser(), `?backend=${backend}`);
  await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 120_000 }).toBe(backend);
  return page.evaluate(async () => {
    const engine = (globalThis as unknown as { playgroundEngine: Engine }).playgroundEngine;
    return {
      ...(await engine.checkFusedLstm()),
      odd: await engine.checkFusedLstm(true),
      adam: await engine.checkFusedAdam(),
      transformer: await engine.checkFusedTransformer(),
    };
  });
};

/**
 * The fused char-Transformer step (3 heads of 4, context 7: no size lines up with a texel or a 4 x 4 block) gave the
 * plain ops' loss and autodiff's gradient for every weight, without and with dropout, through the backend's kernels.
 */
function expectTransformerKernels(checks: TransformerCheck[], backend: string, kernels: TransformerCheck['kernels']) {
  expect(checks).toHaveLength(2);
  for (const c of checks) {
    expect(c.backend).toBe(backend);
    expect(c.kernels).toEqual(kernels);
    expect(Math.abs(c.losses[0] - c.losses[1])).toBeLessThan(1e-5);
    expect(Object.keys(c.gradients)).toHaveLength(2 + 2 * 12 + 3); // wte, wpe, 12 per block, lnf.g, lnf.b, head.b
    for (const [name, e] of Object.entries(c.gradients)) expect(e, name).toBeLessThan(1e-4);
    expect(c.tensorsLeft).toBe(0);
    if (backend === 'webgpu') expect(c.batchMatMulError).toBeLessThan(1e-5);
    else expect(c.batchMatMulError).toBeNull();
  }
}

/** Odd batch and unit counts (no texel lines up on WebGL) give the layers' results too. */
function expectOddSizes(odd: LstmCheck) {
  expect(odd.cellKernels).toBe(true);
  expect(odd.logits).toBeLessThan(1e-5);
  expect(odd.gradients).toBeLessThan(1e-3);
  expect(odd.tensorsLeft).toBe(0);
}

/** Our Adam kernel (three dispatches of one shader per variable) took the same steps as tfjs's Adam. */
function expectAdamKernel(adam: AdamCheck, backend: string) {
  expect(adam).toMatchObject({ backend, kernel: true, lossFell: true, tensorsLeft: 0 });
  expect(adam.weights).toBeLessThan(1e-5);
  expect(adam.moments).toBeLessThan(1e-4);
}

describe('the fused char-LSTM and char-Transformer on the GPU backends, against tfjs layers and plain ops in the page', () => {
  it("runs its WGSL cell kernels on WebGPU with the layers' logits and gradients; the Transformer's WGSL kernels with autodiff's gradients", async () => {
    const r = await check('webgpu')();
    expect(r.backend).toBe('webgpu');
    expect(r.cellKernels).toBe(true);
    expect(r.concatKernel).toBe(false); // WebGL only
    expect(r.logits).toBeLessThan(1e-5);
    expect(r.loss).toBeLessThan(1e-5);
    expect(r.gradients).toBeLessThan(1e-3);
    expect(r.tensorsLeft).toBe(0);
    expectOddSizes(r.odd);
    expectAdamKernel(r.adam, 'webgpu');
    // layer norm, GELU, causal softmax and bias sums as our WGSL loops; batched matmuls ours where ours was chosen
    expectTransformerKernels(r.transformer, 'webgpu', {
      layerNorm: true,
      gelu: true,
      causalSoftmax: true,
      columnSum: true,
      batchMatMul: r.transformer[0]!.kernels.batchMatMul,
    });
  });

  it("runs its packed GLSL cell kernels and row concatenation on WebGL with the layers' logits and gradients; Adam as our kernel on both; the Transformer's layer norm and GELU shaders", async () => {
    const r = await check('webgl')();
    expect(r.backend).toBe('webgl');
    expect(r.cellKernels).toBe(true);
    expect(r.concatKernel).toBe(true); // 18 blocks of 4 rows joined by our kernel in two rounds
    expect(r.odd.concatKernel).toBe(false); // batch 3: tf.concat
    expect(r.logits).toBeLessThan(1e-5);
    expect(r.gradients).toBeLessThan(1e-3);
    expect(r.tensorsLeft).toBe(0);
    expectOddSizes(r.odd);
    expectAdamKernel(r.adam, 'webgl');
    expectTransformerKernels(r.transformer, 'webgl', { layerNorm: true, gelu: true, causalSoftmax: false, columnSum: false, batchMatMul: false });
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

  it("runs the CNN's convolutions and their gradients on WebGL as matmuls over image patches (GLSL im2col and col2im), with tf.conv2d's results, and trains the CNN on them from the page", async () => {
    const { page } = await openPlayground(browser(), '?backend=webgl');
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 120_000 }).toBe('webgl');
    const r = await page.evaluate(() =>
      (
        globalThis as unknown as { playgroundEngine: { checkPatchConv(): Promise<{ conv: PatchConvCheck[]; models: ApplyModelCheck[] }> } }
      ).playgroundEngine.checkPatchConv(),
    );
    // odd sizes and a 5 x 3 filter, both paddings: the value, dx (col2im) and dW (im2col, transposed)
    expect(r.conv.map((c) => c.padding)).toEqual(['same', 'valid']);
    for (const c of r.conv) {
      expect(c.outputRelError, `${c.padding} output`).toBeLessThan(1e-5);
      expect(c.inputGradRelError, `${c.padding} dx`).toBeLessThan(1e-5);
      expect(c.filterGradRelError, `${c.padding} dW`).toBeLessThan(1e-5);
    }
    // the default CNN takes that path on WebGL (its MLP too, with tfjs's own Dense layers inside it)
    expect(r.models.map((m) => [m.model, m.ownPath])).toEqual([
      ['mlp', true],
      ['cnn', true],
    ]);
    for (const m of r.models) {
      expect(m.outputRelError, `${m.model} outputs`).toBeLessThan(1e-5);
      expect(m.gradientRelError, `${m.model} gradients`).toBeLessThan(1e-4);
    }
    // and the CNN trains through it from the page, validated and tested in batches of 500 (patches of 9.8 M values)
    await expect.poll(() => page.getByTestId('dataset-info').textContent(), { timeout: 120_000 }).toContain('55,000 train');
    await page.getByTestId('kind-cnn').check();
    await fillSettings(page, { 'train-limit': '1280', epochs: '1' });
    await page.getByTestId('start').click();
    await expect.poll(() => page.getByTestId('train-state').textContent(), { timeout: 240_000 }).toBe('finished');
    expect(await page.getByTestId('loss-chart').getAttribute('data-points')).toBe('20');
    await expect.poll(() => page.getByTestId('test-accuracy').textContent(), { timeout: 120_000 }).toMatch(/%$/);
    expect(parseFloat((await page.getByTestId('test-accuracy').textContent())!)).toBeGreaterThan(30); // chance is 10 %
    expect(await page.getByTestId('active-backend').textContent()).toBe('webgl');
  });
});
