import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { SandtableError } from '@sandtable/core';

const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the embedded store's lock file: PGlite is single-process, and two processes writing one
 * folder would corrupt it. A lock left by a process that no longer exists (kill -9) is taken over.
 * Returns the function that releases it.
 * @throws {SandtableError} STORE_LOCKED naming the process that holds the folder
 */
export function lockFolder(path: string): () => void {
  if (heldHere.has(path)) {
    throw new SandtableError('STORE_LOCKED', `the store ${path} is already open in this process`, {
      category: 'user',
    });
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const descriptor = openSync(path, 'wx');
      writeSync(descriptor, String(process.pid));
      closeSync(descriptor);
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        try {
          if (readFileSync(path, 'utf8') === String(process.pid)) unlinkSync(path);
        } catch {
          // Already gone: nothing to release.
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(path, 'utf8'));
      } catch {
        // Removed between our open and read: try again.
      }
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new SandtableError(
          'STORE_LOCKED',
          `the store ${path.replace(/\/store\.lock$/, '')} is in use by process ${holder}; ` +
            'stop it, or point this one elsewhere (--data DIR, SANDTABLE_HOME or DATABASE_URL)',
          { category: 'user' },
        );
      }
      try {
        unlinkSync(path);
      } catch {
        // Someone else took it over first; the next attempt decides.
      }
    }
  }
  throw new SandtableError('STORE_LOCKED', `could not lock ${path}`, { category: 'user' });
}
