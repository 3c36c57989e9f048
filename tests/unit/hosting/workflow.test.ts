import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';

const workflow = readFileSync('.github/workflows/pages.yml', 'utf8');
const viteConfig = readFileSync('vite.config.ts', 'utf8');

describe('GitHub Pages workflow', () => {
  it('builds with the base variable vite.config.ts reads, set to the repository sub-path, and publishes dist/', () => {
    const variable = /process\.env\.(\w+) \|\| '\.\/'/.exec(viteConfig)?.[1];
    expect(variable).toBe('PLAYGROUND_BASE');
    expect(workflow).toMatch(
      new RegExp(`- run: npm run build\\n\\s+env:\\n\\s+${variable}: /\\$\\{\\{ github\\.event\\.repository\\.name \\}\\}/\\n`),
    );
    expect(workflow).toMatch(/uses: actions\/upload-pages-artifact@v\d+\n\s+with:\n\s+path: dist\n/);
    expect(workflow).toMatch(/uses: actions\/deploy-pages@v\d+/);
    expect(workflow).toMatch(/pages: write/);
    expect(workflow).toMatch(/id-token: write/);
  });
});
