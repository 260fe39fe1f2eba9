import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { readToken } from '../state/token-store';
import { ApiClient } from './api-client';

const ApiContext = createContext<ApiClient | undefined>(undefined);

/** Provides the one {@link ApiClient} of the page; it reads the stored token on every request. */
export function ApiProvider({ children, baseUrl }: { children: ReactNode; baseUrl?: string }) {
  const client = useMemo(
    () => new ApiClient({ ...(baseUrl ? { baseUrl } : {}), token: readToken }),
    [baseUrl],
  );
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

/** The page's API client. */
export function useApiClient(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApiClient needs an <ApiProvider> above it');
  return client;
}
