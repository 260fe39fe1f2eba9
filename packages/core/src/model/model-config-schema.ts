import { z } from 'zod';
import type { ModelPrice } from './retry';
import type { HedgingOptions, TierChain } from './router-types';

const identifier = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must hold only letters, digits, _, . and -');

const priceSchema = z.strictObject({
  inputPerMillion: z.number().nonnegative(),
  cachedInputPerMillion: z.number().nonnegative().optional(),
  outputPerMillion: z.number().nonnegative(),
});

const endpointSchema = z.strictObject({
  provider: z
    .enum(['openai', 'anthropic'])
    .default('openai')
    .describe('openai = any OpenAI-compatible server'),
  baseUrl: z.url().optional(),
  model: z.string().min(1),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable')
    .optional()
    .describe('Name of the environment variable that holds the API key'),
  maxConcurrency: z.number().int().min(1).default(4),
  timeoutMs: z.number().int().min(1).default(120_000),
  price: priceSchema.optional(),
  ollamaNativeFormat: z.boolean().optional(),
});

const chainSchema = z
  .array(z.union([identifier, z.array(identifier).min(1)]))
  .min(1, 'a tier needs at least one endpoint');

const routerSchema = z.strictObject({
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).optional(),
      baseDelayMs: z.number().min(0).optional(),
      maxDelayMs: z.number().min(0).optional(),
      maxRetryAfterMs: z.number().min(0).optional(),
      maxRefusals: z.number().int().min(0).optional(),
    })
    .optional(),
  circuitBreaker: z
    .strictObject({
      failureThreshold: z.number().int().min(1).optional(),
      cooldownMs: z.number().min(0).optional(),
    })
    .optional(),
  hedging: z
    .strictObject({
      enabled: z.boolean().optional(),
      percentile: z.number().gt(0).lt(1).optional(),
      minSamples: z.number().int().min(1).optional(),
      minDelayMs: z.number().min(0).optional(),
      maxExtraFraction: z.number().min(0).max(1).optional(),
    })
    .optional(),
  adaptiveConcurrency: z.boolean().optional(),
});

/**
 * The schema of `sandtable.config.yaml`: named endpoints, tiers as fallback chains of endpoint ids
 * (default: `fast` and `smart` both use every endpoint in order), and router tuning. A tier named
 * `embedding` turns on embeddings (hybrid document ranking); its endpoints must be OpenAI-compatible.
 */
export const modelConfigFileSchema = z
  .strictObject({
    endpoints: z
      .record(identifier, endpointSchema)
      .refine((value) => Object.keys(value).length > 0, 'name at least one endpoint'),
    tiers: z.record(identifier, chainSchema).optional(),
    router: routerSchema.optional(),
  })
  .superRefine((file, context) => {
    for (const [tier, chain] of Object.entries(file.tiers ?? {})) {
      chain.forEach((entry, position) => {
        const ids = typeof entry === 'string' ? [entry] : entry;
        ids.forEach((id, inner) => {
          const path = ['tiers', tier, position, ...(typeof entry === 'string' ? [] : [inner])];
          if (!(id in file.endpoints)) {
            context.addIssue({
              code: 'custom',
              path,
              message: `unknown endpoint ${JSON.stringify(id)}; defined: ${Object.keys(file.endpoints).join(', ')}`,
            });
          } else if (tier === 'embedding' && file.endpoints[id]?.provider === 'anthropic') {
            context.addIssue({
              code: 'custom',
              path,
              message: `the embedding tier needs an OpenAI-compatible endpoint (POST /v1/embeddings); ${JSON.stringify(id)} is Anthropic's, which serves no embeddings`,
            });
          }
        });
      });
    }
  });

/** `sandtable.config.yaml` as the user wrote it. */
export type ModelConfigFile = z.input<typeof modelConfigFileSchema>;

/** One validated endpoint. Holds the name of the key's variable, never the key. */
export interface EndpointConfig {
  id: string;
  provider: 'openai' | 'anthropic';
  baseUrl?: string;
  model: string;
  apiKeyEnv?: string;
  maxConcurrency: number;
  timeoutMs: number;
  price?: ModelPrice;
  ollamaNativeFormat?: boolean;
}

/** Router tuning from the configuration. */
export interface RouterTuning {
  retry?: {
    maxAttempts?: number;
    baseDelayMs?: number;
    maxDelayMs?: number;
    maxRetryAfterMs?: number;
    maxRefusals?: number;
  };
  circuitBreaker?: { failureThreshold?: number; cooldownMs?: number };
  hedging?: HedgingOptions;
  adaptiveConcurrency?: boolean;
}

/** A validated model configuration, wherever it came from. */
export interface ModelConfig {
  /** The file it was read from, `environment`, or `auto-detected`. */
  source: string;
  endpoints: EndpointConfig[];
  tiers: Record<string, TierChain>;
  router?: RouterTuning;
}
