import { join } from 'node:path';
import { build } from 'vite';

/** The dashboard package folder. */
export const dashboardDirectory = join(import.meta.dirname, '..', '..');

/** Builds the dashboard with Vite's JS API into packages/dashboard/dist (what `sandtable serve` serves). */
export async function buildDashboard(): Promise<string> {
  await build({ configFile: join(dashboardDirectory, 'vite.config.ts'), logLevel: 'warn' });
  return join(dashboardDirectory, 'dist');
}

/** Where tests leave screenshots (gitignored). */
export const artifactDirectory = join(dashboardDirectory, 'test-artifacts');
