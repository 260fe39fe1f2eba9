import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDashboardBuilt } from './dashboard-build';

let root: string;

/** A tiny Vite project shaped like packages/dashboard: index.html, src/, vite.config.ts. */
async function project(): Promise<string> {
  root = await mkdtemp(join(tmpdir(), 'sandtable-dashboard-build-'));
  await mkdir(join(root, 'src'));
  await writeFile(
    join(root, 'index.html'),
    '<!doctype html><html><body><script type="module" src="./src/main.js"></script></body></html>',
  );
  await writeFile(join(root, 'src', 'main.js'), 'document.body.textContent = "first";\n');
  await writeFile(
    join(root, 'vite.config.ts'),
    "export default { root: import.meta.dirname, base: './', build: { outDir: 'dist', emptyOutDir: true } };\n",
  );
  return join(root, 'dist');
}

afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('ensureDashboardBuilt', () => {
  it('builds a missing dashboard, keeps a fresh one, and rebuilds one older than its sources', async () => {
    const dist = await project();
    const first = await ensureDashboardBuilt(dist);
    expect(first.state).toBe('built');
    const bundle = async () => {
      const html = await readFile(join(dist, 'index.html'), 'utf8');
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script, html).toBeDefined();
      return readFile(join(dist, script as string), 'utf8');
    };
    expect(await bundle()).toContain('first');

    expect(await ensureDashboardBuilt(dist)).toEqual({ state: 'ready', directory: dist });

    const source = join(root, 'src', 'main.js');
    await writeFile(source, 'document.body.textContent = "second";\n');
    const later = new Date(Date.now() + 60_000);
    await utimes(source, later, later);
    expect((await ensureDashboardBuilt(dist)).state).toBe('built');
    expect(await bundle()).toContain('second');
  });

  it('reports why it cannot serve a dashboard when there is neither a build nor sources', async () => {
    root = await mkdtemp(join(tmpdir(), 'sandtable-dashboard-build-'));
    const result = await ensureDashboardBuilt(join(root, 'dist'));
    expect(result).toEqual({ state: 'unavailable', reason: `no dashboard build at ${join(root, 'dist')}` });
  });

  it('names the failure when the build breaks', async () => {
    const dist = await project();
    await writeFile(join(root, 'src', 'main.js'), 'import "./missing-module.js";\n');
    const result = await ensureDashboardBuilt(dist);
    expect(result.state).toBe('unavailable');
    expect(result.state === 'unavailable' && result.reason).toMatch(
      /building the dashboard failed: .*missing-module/,
    );
  });
});
