import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './open-store';
import { defaultStoreDirectory } from './store-location';

const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

describe('openStore', () => {
  it("keeps data in its folder across reopen, refuses a second opener, and takes over a dead process's lock", async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sandtable-store-'));
    folders.push(directory);
    const first = await openStore({ directory });
    expect(first).toMatchObject({ kind: 'pglite', location: directory });
    await first.createWorkspace({ id: 'kept', name: 'Kept' });
    await expect(openStore({ directory })).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    await first.close();
    // A lock file naming a process that no longer exists (as after kill -9) does not block.
    await writeFile(join(directory, 'store.lock'), '999999999');
    const second = await openStore({ directory });
    expect((await second.getWorkspace('kept'))?.name).toBe('Kept');
    await second.close();
  });

  it('names what is wrong with an unusable URL', async () => {
    await expect(openStore({ url: 'mysql://root:hunter2@db/x' })).rejects.toThrow(
      /unsupported store URL.*\*\*\*/,
    );
    await expect(openStore({ url: 'postgres://nobody:secret@127.0.0.1:1/none' })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.not.stringContaining('secret'),
    });
  });

  it('puts the embedded store under SANDTABLE_HOME, else the XDG data folder', () => {
    expect(defaultStoreDirectory({ SANDTABLE_HOME: '/srv/st' })).toBe('/srv/st/store');
    expect(defaultStoreDirectory({ XDG_DATA_HOME: '/data' })).toBe('/data/sandtable/store');
  });
});
