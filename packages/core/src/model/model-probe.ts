import type { EndpointConfig } from './model-config-schema';

/** A local server Sandtable looks for when no model is configured. */
export interface ProbeTarget {
  /** Shown to the user, e.g. `Ollama`. */
  name: string;
  /** Used as the endpoint id, e.g. `ollama`. */
  id: string;
  /** Server root without `/v1`, e.g. `http://127.0.0.1:11434`. */
  baseUrl: string;
  /** Ollama also answers `GET /api/tags` and takes its native `format` field. */
  ollama?: boolean;
}

/** Ollama and LM Studio on their default ports. */
export const defaultProbeTargets: readonly ProbeTarget[] = [
  { name: 'Ollama', id: 'ollama', baseUrl: 'http://127.0.0.1:11434', ollama: true },
  { name: 'LM Studio', id: 'lmstudio', baseUrl: 'http://127.0.0.1:1234' },
];

/** What a probe found. */
export interface ProbeResult {
  target: ProbeTarget;
  /** True when the server answered with a model list. */
  found: boolean;
  /** Chat models it serves (embedding models left out). */
  models: string[];
  error?: string;
}

/**
 * Asks each target for its models (`GET /v1/models`, then Ollama's `GET /api/tags`), all at once,
 * each with a short timeout. Never throws.
 */
export async function probeLocalServers(
  targets: readonly ProbeTarget[] = defaultProbeTargets,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<ProbeResult[]> {
  return Promise.all(targets.map((target) => probeOne(target, options.timeoutMs ?? 500, options.signal)));
}

async function probeOne(
  target: ProbeTarget,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<ProbeResult> {
  const root = target.baseUrl.replace(/\/+$/, '');
  let lastError = 'no answer';
  const attempts: Array<[string, (body: unknown) => string[]]> = [
    [`${root}/v1/models`, (body) => listOf(body, 'data').map((model) => String(model.id ?? ''))],
  ];
  if (target.ollama) {
    attempts.push([
      `${root}/api/tags`,
      (body) => listOf(body, 'models').map((model) => String(model.name ?? model.model ?? '')),
    ]);
  }
  for (const [url, read] of attempts) {
    try {
      const body = await getJson(url, timeoutMs, signal);
      const models = read(body).filter((name) => name !== '' && !/embed/i.test(name));
      return { target, found: true, models };
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
  }
  return { target, found: false, models: [], error: lastError };
}

function listOf(body: unknown, field: string): Array<Record<string, unknown>> {
  const list = (body as Record<string, unknown> | null)?.[field];
  if (!Array.isArray(list)) throw new Error(`the answer has no ${field} list`);
  return list as Array<Record<string, unknown>>;
}

/** GET a JSON document with a timeout that is always cleared (no timer left behind). */
export async function getJson(url: string, timeoutMs: number, signal?: AbortSignal): Promise<unknown> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await fetch(url, { signal: controller.signal });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    return await response.json();
  } catch (error) {
    if (controller.signal.aborted && controller.signal.reason instanceof Error)
      throw controller.signal.reason;
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** The endpoint configuration for a server a probe found. */
export function endpointFromProbe(result: ProbeResult, preferredModel?: string): EndpointConfig | undefined {
  const model = preferredModel && result.models.includes(preferredModel) ? preferredModel : result.models[0];
  if (!result.found || model === undefined) return undefined;
  return {
    id: result.target.id,
    provider: 'openai',
    baseUrl: `${result.target.baseUrl.replace(/\/+$/, '')}/v1`,
    model,
    maxConcurrency: 4,
    timeoutMs: 120_000,
    ...(result.target.ollama ? { ollamaNativeFormat: true } : {}),
  };
}
