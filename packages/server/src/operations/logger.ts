import { type Logger, pino } from 'pino';

/**
 * Paths pino replaces with `[redacted]` wherever they appear in a log record: tokens, keys and
 * the Authorization header never reach the logs, whatever a caller passes.
 */
export const redactedPaths = [
  'authorization',
  'token',
  'apiKey',
  'password',
  '*.authorization',
  '*.token',
  '*.apiKey',
  '*.password',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  '*.headers.authorization',
  'databaseUrl',
  'redisUrl',
];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** @defaultValue `SANDTABLE_LOG_LEVEL` or 'info' */
  level?: string;
  /** Where JSON lines go. @defaultValue standard output */
  destination?: NodeJS.WritableStream;
}

/** The server's structured logger: JSON lines, secrets redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.SANDTABLE_LOG_LEVEL ?? 'info';
  const settings = {
    level,
    base: { service: 'sandtable' },
    redact: { paths: redactedPaths, censor: '[redacted]' },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** A URL with any password replaced, for log lines and error messages. */
export function redactConnectionUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'redacted';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

export type { Logger };
