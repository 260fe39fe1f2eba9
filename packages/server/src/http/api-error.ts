import { SandtableError, ScenarioError } from '@sandtable/core';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The one JSON error shape of the API: `{ error: { code, message, details? } }`. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * An error the API answers with on purpose: a stable UPPER_SNAKE `code` (listed in docs/ERRORS.md),
 * an HTTP status and optional `details` (e.g. the list of validation issues with their paths).
 */
export class ApiError extends SandtableError {
  readonly status: ContentfulStatusCode;
  readonly details: unknown;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    options: { details?: unknown; cause?: unknown } = {},
  ) {
    super(code, message, { category: status >= 500 ? 'system' : 'user', cause: options.cause });
    this.name = 'ApiError';
    this.status = status;
    this.details = options.details;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), status: this.status };
  }
}

/** Core error codes that name something missing, answered with 404. */
const notFoundCodes = new Set(['AGENT_NOT_FOUND', 'ROOM_NOT_FOUND', 'VARIABLE_NOT_FOUND']);

/**
 * Maps any thrown value to a status and the error body. Sandtable user errors keep their code
 * (a scenario's issues go in `details`); anything unexpected is a 500 `INTERNAL_ERROR` whose message
 * does not leak internals.
 */
export function toErrorResponse(error: unknown): { status: ContentfulStatusCode; body: ErrorBody } {
  if (error instanceof ApiError) {
    return {
      status: error.status,
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.details === undefined ? {} : { details: error.details }),
        },
      },
    };
  }
  if (error instanceof ScenarioError) {
    return {
      status: 422,
      body: { error: { code: error.code, message: error.message, details: { issues: error.issues } } },
    };
  }
  if (error instanceof SandtableError && error.category === 'user') {
    return {
      status: notFoundCodes.has(error.code) ? 404 : 400,
      body: { error: { code: error.code, message: error.message } },
    };
  }
  return {
    status: 500,
    body: { error: { code: 'INTERNAL_ERROR', message: 'the server failed to handle this request' } },
  };
}

/** A 404 for a resource that does not exist in the caller's workspace (or at all: the same answer). */
export function notFound(kind: 'run' | 'scenario' | 'scenario version' | 'agent', id: string): ApiError {
  const code = `${kind.replace(' ', '_').toUpperCase()}_NOT_FOUND`;
  return new ApiError(404, code, `no ${kind} "${id}"`);
}
