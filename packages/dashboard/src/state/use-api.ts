import { useCallback, useEffect, useRef, useState } from 'react';

/** An API answer being loaded: exactly one of loading, error or data describes it. */
export interface ApiResource<Value> {
  data: Value | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Loads something from the API and re-loads it when `dependencies` change, or every
 * `pollMilliseconds` when given (the home page's run list polls while runs are live).
 */
export function useApi<Value>(
  load: (signal: AbortSignal) => Promise<Value>,
  dependencies: unknown[],
  pollMilliseconds?: number,
): ApiResource<Value> {
  const [data, setData] = useState<Value>();
  const [error, setError] = useState<Error>();
  const [loading, setLoading] = useState(true);
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(() => setGeneration((value) => value + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names the dependencies.
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fetchOnce = () => {
      loadRef.current(controller.signal).then(
        (value) => {
          if (controller.signal.aborted) return;
          setData(value);
          setError(undefined);
          setLoading(false);
          if (pollMilliseconds) timer = setTimeout(fetchOnce, pollMilliseconds);
        },
        (failure: unknown) => {
          if (controller.signal.aborted) return;
          setError(failure as Error);
          setLoading(false);
          if (pollMilliseconds) timer = setTimeout(fetchOnce, pollMilliseconds * 2);
        },
      );
    };
    setLoading(true);
    fetchOnce();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [...dependencies, generation, pollMilliseconds]);

  return { data, error, loading, reload };
}
