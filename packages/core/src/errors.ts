/**
 * Who is at fault when something goes wrong: the user (bad scenario, bad request), a model
 * provider (timeouts, malformed replies, rate limits) or Sandtable itself.
 */
export type ErrorCategory = 'user' | 'provider' | 'system';

/** Where in a user's file a problem sits. Lines and columns are 1-based. */
export interface SourceLocation {
  file?: string;
  line?: number;
  column?: number;
  /** Dotted path of the field, e.g. `agents[2].traits.cooperation`. */
  path?: string;
}

/** One problem found in user input, with its location and what was expected. */
export interface Issue extends SourceLocation {
  message: string;
}

/**
 * Base class of every error Sandtable throws on purpose. `code` is stable (UPPER_SNAKE) and listed
 * in docs/ERRORS.md; `category` says whose fault it is, which decides whether the CLI prints a
 * stack trace (never for `user`).
 */
export class SandtableError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;

  constructor(code: string, message: string, options: { category: ErrorCategory; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SandtableError';
    this.code = code;
    this.category = options.category;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      category: this.category,
      message: this.message,
      ...(this.cause instanceof Error ? { cause: this.cause.message } : {}),
    };
  }
}

/** Formats an issue as `file:line:column: path: message`, leaving out the parts it lacks. */
export function formatIssue(issue: Issue): string {
  const where = [issue.file, issue.line, issue.column].filter((part) => part !== undefined).join(':');
  const field = issue.path ? `${issue.path}: ` : '';
  return where ? `${where}: ${field}${issue.message}` : `${field}${issue.message}`;
}

/**
 * A scenario failed to load or validate. Carries every problem found, not just the first, so
 * `sandtable validate` can print them all.
 */
export class ScenarioError extends SandtableError {
  readonly issues: Issue[];

  constructor(issues: Issue[], options: { cause?: unknown } = {}) {
    const head = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('SCENARIO_INVALID', `Scenario has ${head}:\n${issues.map(formatIssue).join('\n')}`, {
      category: 'user',
      cause: options.cause,
    });
    this.name = 'ScenarioError';
    this.issues = issues;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), issues: this.issues };
  }
}

/** An expression failed at run time (e.g. a division producing a non-number in a metric). */
export class ExpressionError extends SandtableError {
  readonly expression: string;

  constructor(expression: string, message: string, options: { cause?: unknown } = {}) {
    super('EXPRESSION_FAILED', `${message} in expression \`${expression}\``, {
      category: 'user',
      cause: options.cause,
    });
    this.name = 'ExpressionError';
    this.expression = expression;
  }
}

/** True when the value is a Sandtable error of the user category. */
export function isUserError(error: unknown): error is SandtableError {
  return error instanceof SandtableError && error.category === 'user';
}
