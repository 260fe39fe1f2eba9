import type { ReactNode } from 'react';
import { ApiError } from '../api/api-error';

/** A spinner line while something loads. */
export function Loading({ what }: { what: string }) {
  return (
    <div className="state state-loading" role="status">
      Loading {what}…
    </div>
  );
}

/** An error box: the server's code and message, and what to do about it. */
export function ErrorMessage({ error, retry }: { error: Error; retry?: () => void }) {
  const apiError = error instanceof ApiError ? error : undefined;
  return (
    <div className="state state-error" role="alert">
      <strong>{apiError?.code ?? 'ERROR'}</strong> {error.message}
      {apiError?.isUnauthorized ? <div>Enter the server's API token at the top right.</div> : null}
      {apiError?.code === 'NETWORK_ERROR' ? <div>Is `sandtable serve` running?</div> : null}
      {retry ? (
        <button type="button" onClick={retry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** What a list shows when it has nothing in it, and how to fill it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty">
      <strong>{title}</strong>
      {children ? <div>{children}</div> : null}
    </div>
  );
}
