import { openStore } from '@sandtable/store';
import type { CommandIo } from '../command-io';

/** Options of `sandtable token create`. */
export interface TokenCreateOptions {
  /** Workspace name; created when it does not exist. @defaultValue the default workspace */
  workspace?: string;
  /** A label for the token (shown in lists, never secret). */
  name?: string;
  /** The embedded store's folder (ignored when `DATABASE_URL` is set). */
  data?: string;
}

/**
 * `sandtable token create`: creates an API token for a workspace and prints it once, on stdout
 * alone (so it can be captured); only its SHA-256 is stored.
 */
export async function tokenCreateCommand(options: TokenCreateOptions, io: CommandIo): Promise<number> {
  const store = await openStore(options.data ? { directory: options.data } : {});
  try {
    let workspace =
      options.workspace === undefined
        ? await store.defaultWorkspace()
        : (await store.listWorkspaces()).find((candidate) => candidate.name === options.workspace);
    if (!workspace) workspace = await store.createWorkspace({ name: options.workspace as string });
    const { secret, token } = await store.createToken(
      workspace.id,
      options.name ? { name: options.name } : {},
    );
    io.out(secret);
    io.err(
      `token ${token.id} for workspace "${workspace.name}" — shown once; send it as "Authorization: Bearer <token>"`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
