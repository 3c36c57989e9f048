import { describe, expect, it } from 'vitest';
import { fillSettings, openPlayground, useBrowser } from './browser';

const browser = useBrowser();

describe('experiments as links', () => {
  it('opens the settings a link carries, writes every change into the address, and that address reopens them', async () => {
    const { page } = await openPlayground(browser(), '?backend=cpu&model=cnn&cnn.conv=8-3-same-relu-max&lr=0.01&epochs=3');
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('cpu');
    expect(await page.getByTestId('kind-cnn').isChecked()).toBe(true);
    expect(await page.getByTestId('kernel-0').inputValue()).toBe('3');
    expect(await page.getByTestId('kernel-1').count()).toBe(0); // one conv block, as in the link
    expect(await page.getByTestId('learning-rate').inputValue()).toBe('0.01');
    expect(await page.getByTestId('epochs').inputValue()).toBe('3');

    await fillSettings(page, { 'batch-size': '32', optimizer: 'rmsprop' });
    await page.getByTestId('tab-text').click();
    await fillSettings(page, { 'char-units': '48' });
    await expect.poll(() => new URL(page.url()).searchParams.get('t.units')).toBe('48');
    await page.getByTestId('char-family').selectOption('charTransformer');
    await fillSettings(page, { 'gpt-width': '48' });
    await expect.poll(() => new URL(page.url()).searchParams.get('t.gpt')).toBe('2-4-48-64-0-tied');
    const link = new URL(page.url());
    expect(Object.fromEntries(link.searchParams)).toEqual({
      backend: 'cpu',
      tab: 'text',
      model: 'cnn',
      'cnn.conv': '8-3-same-relu-max',
      lr: '0.01',
      opt: 'rmsprop',
      batch: '32',
      epochs: '3',
      't.units': '48',
      't.family': 'charTransformer',
      't.gpt': '2-4-48-64-0-tied',
    });

    const again = await openPlayground(browser(), link.search);
    expect(await again.page.getByTestId('char-family').inputValue()).toBe('charTransformer');
    expect(await again.page.getByTestId('gpt-preset').inputValue()).toBe('custom');
    expect(await again.page.getByTestId('gpt-width').inputValue()).toBe('48');
    await again.page.getByTestId('char-family').selectOption('charLstm');
    expect(await again.page.getByTestId('char-units').inputValue()).toBe('48');
    expect(await again.page.getByTestId('char-preset').inputValue()).toBe('custom');
    await again.page.getByTestId('tab-images').click();
    expect(await again.page.getByTestId('optimizer').inputValue()).toBe('rmsprop');
    expect(await again.page.getByTestId('batch-size').inputValue()).toBe('32');
    expect(await again.page.getByTestId('kernel-0').inputValue()).toBe('3');
    await expect.poll(() => again.page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).toBe('cpu');
  });

  it('falls back to the defaults, with a notice saying so, for values it cannot use, and drops them from the address', async () => {
    const { page } = await openPlayground(browser(), '?lr=abc&epochs=0&mlp=64-foo&zoom=2&batch=16');
    const notices = page.getByTestId('notices');
    await expect.poll(() => notices.textContent()).toContain(`The link's learning rate "abc" is not valid; using 0.001.`);
    expect(await notices.textContent()).toContain('Epochs must be a whole number from 1 to 1000, got 0. Using 15.');
    expect(await notices.textContent()).toContain(`setting "zoom" is unknown`);
    expect(await page.getByTestId('learning-rate').inputValue()).toBe('0.001');
    expect(await page.getByTestId('epochs').inputValue()).toBe('15');
    expect(await page.getByTestId('units-0').inputValue()).toBe('64');
    expect(await page.getByTestId('batch-size').inputValue()).toBe('16');
    await expect.poll(() => page.getByTestId('active-backend').textContent(), { timeout: 60_000 }).not.toBe('starting…');
    await expect.poll(() => new URL(page.url()).search).toBe('?batch=16');
  });
});
