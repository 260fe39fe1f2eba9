import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { defaultDashboardDirectory } from '@sandtable/server';

/** What {@link ensureDashboardBuilt} found or did. */
export type DashboardBuild =
  | { state: 'ready'; directory: string }
  | { state: 'built'; directory: string; milliseconds: number }
  | { state: 'unavailable'; reason: string };

/** The newest modification time under a folder (sources of the dashboard). */
function newestModification(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestModification(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Makes sure the dashboard `sandtable serve` hands out exists and is not older than its sources:
 * builds it with Vite (the dashboard's own config) when `dist/index.html` is missing or stale. A
 * checkout always has the sources and Vite; an installation without them serves the API alone.
 */
export async function ensureDashboardBuilt(
  directory: string = defaultDashboardDirectory,
): Promise<DashboardBuild> {
  const root = dirname(directory);
  const sources = join(root, 'src');
  const config = join(root, 'vite.config.ts');
  const index = join(directory, 'index.html');
  const haveSources = existsSync(sources) && existsSync(config);
  if (existsSync(index) && (!haveSources || statSync(index).mtimeMs >= newestModification(sources)))
    return { state: 'ready', directory };
  if (!haveSources) return { state: 'unavailable', reason: `no dashboard build at ${directory}` };
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    return { state: 'unavailable', reason: 'Vite is not installed, so the dashboard cannot be built' };
  }
  const started = performance.now();
  try {
    await vite.build({ configFile: config, root, logLevel: 'error' });
  } catch (error) {
    return {
      state: 'unavailable',
      reason: `building the dashboard failed: ${(error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim()}`,
    };
  }
  return { state: 'built', directory, milliseconds: Math.round(performance.now() - started) };
}
