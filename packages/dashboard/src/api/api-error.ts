import type { ValidationIssue } from './api-types';

/**
 * A failed API request: the server's error code and message when it sent its JSON error body
 * (`{ error: { code, message, details: { issues? } } }`), otherwise the HTTP status or the network failure.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    message: string,
    /** The server's UPPER_SNAKE code, `NETWORK_ERROR` or `HTTP_<status>`. */
    readonly code: string,
    /** HTTP status; 0 when the request never got an answer. */
    readonly status: number,
    /** Validation problems the server listed, if any. */
    readonly issues: ValidationIssue[] = [],
  ) {
    super(message);
  }

  /** Whether the server refused the token (so the page should ask for one). */
  get isUnauthorized(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

/** Builds an {@link ApiError} from a non-OK response, reading its JSON error body if it has one. */
export async function apiErrorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: unknown } | undefined)?.error ?? body;
  if (error && typeof error === 'object') {
    const record = error as { code?: unknown; message?: unknown; issues?: unknown; details?: unknown };
    const details = record.details as { issues?: unknown } | unknown[] | undefined;
    const issues = Array.isArray(record.issues)
      ? record.issues
      : Array.isArray(details)
        ? details
        : Array.isArray(details?.issues)
          ? details.issues
          : [];
    return new ApiError(
      typeof record.message === 'string' ? record.message : `${response.status} ${response.statusText}`,
      typeof record.code === 'string' ? record.code : `HTTP_${response.status}`,
      response.status,
      issues as ValidationIssue[],
    );
  }
  if (typeof error === 'string') return new ApiError(error, `HTTP_${response.status}`, response.status);
  return new ApiError(
    `${response.status} ${response.statusText}`,
    `HTTP_${response.status}`,
    response.status,
  );
}
