import { useSyncExternalStore } from 'react';

const storageKey = 'sandtable.apiToken';
const listeners = new Set<() => void>();

/** The API token the user entered, kept in localStorage so it survives reloads. */
export function readToken(): string | undefined {
  try {
    return localStorage.getItem(storageKey) || undefined;
  } catch {
    return undefined;
  }
}

/** Saves (or with an empty value, forgets) the API token. */
export function writeToken(token: string): void {
  if (token) localStorage.setItem(storageKey, token);
  else localStorage.removeItem(storageKey);
  for (const listener of listeners) listener();
}

/** The current token, re-rendering when it changes. */
export function useToken(): string | undefined {
  return useSyncExternalStore((listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  }, readToken);
}
