import { describe, expect, it } from 'vitest';
import { openPlayground, trainCharLstmBriefly, trainMnistBriefly, useBrowser } from './browser';
import { CONTENT_SECURITY_POLICY } from '../../vite/csp';
import { policyProblems } from './policy';

const browser = useBrowser();

describe('a static page under a strict Content-Security-Policy', () => {
  it('trains on wasm and loads and trains the text tab with no violation, no request to another origin; inline script is refused', async () => {
    const { page, requests, consoleErrors } = await openPlayground(browser(), '?backend=wasm');
    // the policy is in the built page (for any static host) and in the preview server's headers (which govern the worker)
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toBe(CONTENT_SECURITY_POLICY);
    const response = await page.request.get(page.url());
    expect(response.headers()['content-security-policy']).toBe(`${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`);
    expect(await page.locator('script:not([src])').count()).toBe(0);

    await trainMnistBriefly(page, 640, 1);

    await trainCharLstmBriefly(page, { 'text-sample-length': '20' });
    expect(await page.locator('[data-testid=text-samples] pre').count()).toBe(1);

    const notices = (await page.getByTestId('notices').textContent()) ?? '';
    expect(policyProblems([notices, ...consoleErrors])).toEqual([]);
    const origin = new URL(page.url()).origin;
    // the worker's own requests (its script, the .wasm binary, the data) are seen too
    const files = requests.map((u) => new URL(u).pathname.split('/').pop());
    expect(files).toEqual(expect.arrayContaining(['mnist-train-images.idx.gz', 'mnist-test-labels.idx.gz', 'sotu.txt.gz']));
    expect(files.some((f) => /^playground\.worker.*\.js$/.test(f!))).toBe(true);
    expect(files.some((f) => /^tfjs-backend-wasm.*\.wasm$/.test(f!))).toBe(true);
    expect(requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('blob:') && !u.startsWith('data:'))).toEqual([]);

    // the policy is really enforced: an injected inline script does not run, and the page says it was blocked
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.body.append(s);
    });
    await expect
      .poll(() => page.getByTestId('notices').textContent(), { timeout: 10_000 })
      .toContain('The security policy blocked inline (script-src-elem) in the page');
    expect(await page.evaluate(() => (window as { __inlineRan?: boolean }).__inlineRan)).toBeUndefined();
  });
});
