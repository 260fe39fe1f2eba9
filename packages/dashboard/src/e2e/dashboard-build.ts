import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';

/** The dashboard package folder. */
export const dashboardDirectory = join(import.meta.dirname, '..', '..');

/** The newest modification time under a folder (the dashboard's sources). */
async function newestModification(directory: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(
      newest,
      entry.isDirectory() ? await newestModification(path) : (await stat(path)).mtimeMs,
    );
  }
  return newest;
}

/** Whether `dist/index.html` exists and is not older than any source or the Vite config. */
async function buildIsCurrent(): Promise<boolean> {
  try {
    const built = (await stat(join(dashboardDirectory, 'dist', 'index.html'))).mtimeMs;
    const config = (await stat(join(dashboardDirectory, 'vite.config.ts'))).mtimeMs;
    return built >= Math.max(config, await newestModification(join(dashboardDirectory, 'src')));
  } catch {
    return false;
  }
}

/** A lock folder older than this was left by a test process that died mid-build. */
const abandonedLockMilliseconds = 5 * 60_000;

/** Runs `work` while holding a lock folder (mkdir is atomic), one test process at a time. */
async function withBuildLock<Result>(work: () => Promise<Result>): Promise<Result> {
  const lock = join(tmpdir(), 'sandtable-dashboard-build.lock');
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = await stat(lock).then(
        (found) => Date.now() - found.mtimeMs,
        () => 0,
      );
      if (since > abandonedLockMilliseconds) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * Builds the dashboard with Vite's JS API into packages/dashboard/dist (what `sandtable serve`
 * serves), unless that build is already newer than every source. The end-to-end files run in
 * parallel under `npm test` and share `dist`: one builds at a time, and a file that finds the build
 * current leaves it alone (rebuilding would empty `dist` under the other file's open pages).
 */
export async function buildDashboard(): Promise<string> {
  await withBuildLock(async () => {
    if (!(await buildIsCurrent()))
      await build({ configFile: join(dashboardDirectory, 'vite.config.ts'), logLevel: 'warn' });
  });
  return join(dashboardDirectory, 'dist');
}

/** Where tests leave screenshots (gitignored). */
export const artifactDirectory = join(dashboardDirectory, 'test-artifacts');
