/**
 * Starts bench/support/simulated-server-process.ts as a child process and talks to it: its URL,
 * its counters, and closing it.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';

/** A simulated model server running in a child process. */
export interface ServerProcess {
  /** The OpenAI-compatible base URL (`…/v1`). */
  url: string;
  /** The server's counters (HTTP and, for a profile, its server model). */
  stats(): Promise<Record<string, unknown>>;
  /** Ends the child process. */
  close(): Promise<void>;
}

/** Starts a simulated server process for a profile name (or `zero-latency`). */
export async function startServerProcess(profile: string, seed: number): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'simulated-server-process.ts'),
      '--profile',
      profile,
      '--seed',
      String(seed),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines: Interface = createInterface({ input: child.stdout });
  const pending: Array<(line: string) => void> = [];
  lines.on('line', (line) => pending.shift()?.(line));
  const nextLine = () => new Promise<string>((resolve) => pending.push(resolve));
  const { url } = JSON.parse(await nextLine()) as { url: string };
  return {
    url,
    async stats() {
      const line = nextLine();
      child.stdin.write('stats\n');
      return JSON.parse(await line) as Record<string, unknown>;
    },
    async close() {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.stdin.end();
      await exited;
    },
  };
}
