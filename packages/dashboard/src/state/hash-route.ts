import { useSyncExternalStore } from 'react';

/** The page the hash names: `#/runs/abc?tab=agents` → `{ segments: ['runs','abc'], query }`. */
export interface HashRoute {
  segments: string[];
  query: URLSearchParams;
}

/** Parses a location hash into a {@link HashRoute}. */
export function parseHash(hash: string): HashRoute {
  const text = hash.replace(/^#/, '');
  const [path = '', search = ''] = text.split('?', 2);
  return {
    segments: path.split('/').filter(Boolean).map(decodeURIComponent),
    query: new URLSearchParams(search),
  };
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

/**
 * The current route. Hash routing keeps the app a set of static files the server can hand out
 * from one folder with no fallback rules.
 */
export function useHashRoute(): HashRoute {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseHash(hash);
}

/** Goes to a page, e.g. `navigate('/runs/abc')`. */
export function navigate(path: string): void {
  window.location.hash = `#${path}`;
}
