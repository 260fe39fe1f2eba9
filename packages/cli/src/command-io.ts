/** Where a command writes, so tests can capture it. */
export interface CommandIo {
  out(line: string): void;
  err(line: string): void;
  isTty: boolean;
}

/** The process's own stdout and stderr. */
export const processIo: CommandIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  isTty: Boolean(process.stdout.isTTY),
};
