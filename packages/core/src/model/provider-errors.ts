import { ProviderError } from './types';

/** Reads a header from a `Headers` object or a plain record, case-insensitively. */
function readHeader(headers: unknown, name: string): string | undefined {
  if (headers === undefined || headers === null) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() === name) {
      const value = record[key];
      return typeof value === 'string' ? value : undefined;
    }
  }
  return undefined;
}

/**
 * How long a server asked us to wait, from `retry-after-ms` (milliseconds) or `retry-after`
 * (seconds, or an HTTP date). `undefined` when it did not say.
 */
export function retryAfterFromHeaders(headers: unknown, now: number = Date.now()): number | undefined {
  const milliseconds = readHeader(headers, 'retry-after-ms');
  if (milliseconds !== undefined && Number.isFinite(Number(milliseconds))) {
    return Math.max(0, Number(milliseconds));
  }
  const value = readHeader(headers, 'retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Maps an HTTP error status to a {@link ProviderError}: 429 → rate limited (retryable, with the
 * server's retry-after), 408 → timeout, 5xx/409/529 → unavailable (retryable), 401/403 → auth,
 * 404 → not found, other 4xx → bad request (none of these retryable).
 */
export function errorFromStatus(
  status: number,
  headers: unknown,
  detail: string,
  providerId: string,
  cause?: unknown,
): ProviderError {
  const retryAfterMs = retryAfterFromHeaders(headers);
  const base = { status, providerId, cause, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  const said = detail ? `: ${detail}` : '';
  if (status === 429) {
    return new ProviderError('PROVIDER_RATE_LIMITED', `${providerId} is rate limiting (429)${said}`, base);
  }
  if (status === 408)
    return new ProviderError('PROVIDER_TIMEOUT', `${providerId} timed out (408)${said}`, base);
  if (status === 401 || status === 403) {
    return new ProviderError(
      'PROVIDER_AUTH',
      `${providerId} refused the credentials (${status})${said}. Check the API key variable named in the configuration.`,
      base,
    );
  }
  if (status === 404) {
    return new ProviderError(
      'PROVIDER_NOT_FOUND',
      `${providerId} does not know this model or path (404)${said}`,
      base,
    );
  }
  if (status >= 500 || status === 409) {
    return new ProviderError('PROVIDER_UNAVAILABLE', `${providerId} failed (${status})${said}`, base);
  }
  return new ProviderError(
    'PROVIDER_BAD_REQUEST',
    `${providerId} rejected the request (${status})${said}`,
    base,
  );
}

/**
 * The error for a call cut short by its signal: `PROVIDER_TIMEOUT` (retryable) when the signal's
 * reason is a timeout, `PROVIDER_ABORTED` (not retryable) otherwise.
 */
export function errorFromAbort(signal: AbortSignal, providerId: string, cause?: unknown): ProviderError {
  const reason: unknown = signal.reason;
  if (reason instanceof ProviderError) return reason;
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new ProviderError('PROVIDER_TIMEOUT', `${providerId} did not answer in time`, {
      providerId,
      cause: cause ?? reason,
    });
  }
  return new ProviderError('PROVIDER_ABORTED', `call to ${providerId} was aborted`, {
    providerId,
    cause: cause ?? reason,
  });
}

/** What the SDK errors both providers see look like. */
export interface SdkErrorClasses {
  apiError: abstract new (...parameters: never[]) => Error & { status?: number; headers?: unknown };
  userAbortError: abstract new (...parameters: never[]) => Error;
  connectionError: abstract new (...parameters: never[]) => Error;
  connectionTimeoutError: abstract new (...parameters: never[]) => Error;
}

/**
 * Turns anything a provider's SDK threw into a {@link ProviderError}. Checks the request's signal
 * first, because an aborted request surfaces as many different SDK errors.
 */
export function toProviderError(
  error: unknown,
  providerId: string,
  classes: SdkErrorClasses,
  signal?: AbortSignal,
): ProviderError {
  if (error instanceof ProviderError) return error;
  if (signal?.aborted) return errorFromAbort(signal, providerId, error);
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof classes.userAbortError) {
    return new ProviderError('PROVIDER_ABORTED', `call to ${providerId} was aborted`, {
      providerId,
      cause: error,
    });
  }
  if (error instanceof classes.connectionTimeoutError) {
    return new ProviderError('PROVIDER_TIMEOUT', `${providerId} did not answer in time`, {
      providerId,
      cause: error,
    });
  }
  if (error instanceof classes.connectionError) {
    return new ProviderError(
      'PROVIDER_CONNECTION',
      `cannot reach ${providerId}: ${connectionDetail(error)}`,
      {
        providerId,
        cause: error,
      },
    );
  }
  if (error instanceof classes.apiError) {
    if (typeof error.status === 'number') {
      return errorFromStatus(error.status, error.headers, message, providerId, error);
    }
    // An error event inside a stream: the server failed after it had started answering.
    return new ProviderError('PROVIDER_UNAVAILABLE', `${providerId} failed while answering: ${message}`, {
      providerId,
      cause: error,
    });
  }
  if (error instanceof SyntaxError) {
    return new ProviderError(
      'PROVIDER_MALFORMED_REPLY',
      `${providerId} sent a reply that is not JSON: ${message}`,
      {
        providerId,
        cause: error,
      },
    );
  }
  // Sockets closed mid-body surface as plain errors (`TypeError: terminated`).
  return new ProviderError('PROVIDER_CONNECTION', `connection to ${providerId} failed: ${message}`, {
    providerId,
    cause: error,
  });
}

function connectionDetail(error: Error): string {
  // fetch wraps the socket error (ECONNREFUSED, ECONNRESET, …) a level or two down.
  let current: unknown = error;
  let detail = error.message;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: unknown }).code;
    if (typeof code === 'string')
      return current.message.includes(code) ? current.message : `${current.message} (${code})`;
    detail = current.message;
    current = current.cause;
  }
  return detail;
}
