import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The embedded store's folder: `$SANDTABLE_HOME/store`, else `$XDG_DATA_HOME/sandtable/store`,
 * else `~/.local/share/sandtable/store`.
 */
export function defaultStoreDirectory(environment: NodeJS.ProcessEnv = process.env): string {
  if (environment.SANDTABLE_HOME) return join(environment.SANDTABLE_HOME, 'store');
  const data = environment.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(data, 'sandtable', 'store');
}

/** A database URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparseable database URL)';
  }
}
