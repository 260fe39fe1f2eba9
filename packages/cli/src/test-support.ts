import type { CommandIo } from './command-io';

/** A {@link CommandIo} that keeps what a command prints, for tests: not a terminal. */
export function captureIo(): CommandIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line), isTty: false };
}
