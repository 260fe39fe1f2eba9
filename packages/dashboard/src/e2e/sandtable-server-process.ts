import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const repositoryRoot = join(import.meta.dirname, '..', '..', '..', '..');

/** A free loopback TCP port (asked of the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Options of {@link SandtableServerProcess}. */
export interface ServerProcessOptions {
  port: number;
  dataDirectory: string;
  /** Extra `sandtable serve` flags, e.g. `['--require-token']`. */
  flags?: string[];
}

/**
 * `sandtable serve` as a child process on a loopback port with its own embedded store folder — the
 * real server over real sockets. `kill()` is SIGKILL (a crash, not a shutdown), and `start()` again
 * reuses the same port and folder, as a restarted server would.
 */
export class SandtableServerProcess {
  private child: ChildProcess | undefined;
  private output = '';
  readonly url: string;
  /** The API token {@link api} sends, once {@link createToken} made one. */
  token: string | undefined;

  constructor(private readonly options: ServerProcessOptions) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  /**
   * Creates an API token with `sandtable token create` on the server's store folder (while the
   * server is not running: the embedded store is one process's at a time) and keeps it for {@link api}.
   */
  async createToken(): Promise<string> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(repositoryRoot, 'packages/cli/bin/sandtable.js'),
        'token',
        'create',
        '--data',
        this.options.dataDirectory,
      ],
      { cwd: repositoryRoot },
    );
    this.token = stdout.trim();
    return this.token;
  }

  /** Starts the server and waits until `/readyz` answers. */
  async start(): Promise<void> {
    this.output = '';
    const child = spawn(
      process.execPath,
      [
        join(repositoryRoot, 'packages/cli/bin/sandtable.js'),
        'serve',
        '--host',
        '127.0.0.1',
        '--port',
        String(this.options.port),
        '--data',
        this.options.dataDirectory,
        ...(this.options.flags ?? []),
      ],
      {
        cwd: repositoryRoot,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SANDTABLE_LOG_LEVEL: 'warn' },
      },
    );
    this.child = child;
    for (const stream of [child.stdout, child.stderr])
      stream?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    // Generous: the CLI compiles its TypeScript through tsx and opens the store, on a shared machine.
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`sandtable serve exited with ${child.exitCode}:\n${this.output}`);
      try {
        const response = await fetch(`${this.url}/readyz`);
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    throw new Error(`sandtable serve did not become ready:\n${this.output}`);
  }

  /** Kills the server at once (SIGKILL) and waits for the process to be gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.child = undefined;
  }

  /** Stops the server politely (SIGTERM), falling back to SIGKILL. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** What the server printed (for failure messages). */
  get log(): string {
    return this.output;
  }

  /** Calls the API directly (set-up and checks that are not what the test is about). */
  async api<Result>(method: string, path: string, body?: unknown): Promise<Result> {
    const response = await fetch(`${this.url}/api${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as Result;
  }
}
