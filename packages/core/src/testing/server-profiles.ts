/**
 * Server profiles: how the simulated model servers behave, written down as data with the published
 * figures each is calibrated to. Three kinds of server are modelled (see
 * docs/decisions/0005-benchmarks.md): a hosted API, a continuous-batching server (vLLM, SGLang) and
 * a slot server (Ollama, llama.cpp). Every random draw is keyed by (seed, request key, attempt), so
 * two schedulers that send the same requests get the same latencies, failures and reply lengths.
 */
import type { ModelPrice } from '../model/retry';
import type { PrefixCacheOptions } from './virtual-time/prefix-cache';

/**
 * A hosted API (OpenAI, Anthropic, Gemini…): no visible capacity, a lognormal time to first
 * token plus a steady stream of output tokens, a few stragglers, rate limits in requests and
 * tokens per minute (429 with `retry-after`), and an occasional 5xx.
 */
export interface ApiServerProfile {
  kind: 'api';
  name: string;
  /** What the profile stands for. */
  description: string;
  /** The published figures it is calibrated to, one per line. */
  calibration: readonly string[];
  /** Time to first token of a prompt with nothing to compute (lognormal: median and spread). */
  firstToken: { medianMilliseconds: number; sigma: number };
  /** Time to first token added per prompt token not served from the prompt cache. */
  prefillMillisecondsPerToken: number;
  /** Time between output tokens. */
  interTokenMilliseconds: number;
  /**
   * Attempts slowed down for reasons outside the request (a busy replica, a queue at the provider):
   * with `probability`, the time to first token is multiplied by a factor drawn uniformly in
   * [`minimumFactor`, `maximumFactor`]. Drawn per attempt, so a retry or a hedge is not slow because
   * the first try was.
   */
  stragglers: { probability: number; minimumFactor: number; maximumFactor: number };
  /**
   * Token buckets refilled continuously at the per-minute rates, holding at most `burstSeconds`
   * worth. A request costs 1 request and prompt + `max_tokens` tokens at admission (how OpenAI
   * counts); without enough in either bucket it is refused with 429 and a `retry-after` saying
   * when there will be. Left out: no limits.
   */
  rateLimits?: { requestsPerMinute: number; tokensPerMinute: number; burstSeconds: number };
  /** Share of attempts that fail with `status` after their time to first token. */
  serverErrors: { probability: number; status: number };
  /** The provider's automatic prompt cache (cached tokens are billed at the cached price). */
  promptCache?: PrefixCacheOptions;
  /** US dollars per million tokens. */
  price: ModelPrice;
}

/**
 * A server that runs requests in iterations over one shared batch: each iteration every running
 * sequence decodes a token and waiting prompts are prefilled in chunks within a token budget; an
 * iteration takes longer the more sequences it decodes and the more prompt tokens it prefills.
 * `continuous-batching` (vLLM, SGLang) shares a paged prefix cache across requests;
 * `slot-server` (Ollama, llama.cpp server) has a few fixed slots, each reusing only its own last
 * prompt, and a bounded FIFO queue that answers 503 when full.
 */
export interface IterationServerProfile {
  kind: 'continuous-batching' | 'slot-server';
  name: string;
  /** What the profile stands for. */
  description: string;
  /** The published figures it is calibrated to, one per line. */
  calibration: readonly string[];
  /**
   * Duration of one iteration: `baseMilliseconds` + `perSequenceMilliseconds` × sequences in the
   * batch + `perPrefillTokenMilliseconds` × prompt tokens prefilled in it.
   */
  iteration: {
    baseMilliseconds: number;
    perSequenceMilliseconds: number;
    perPrefillTokenMilliseconds: number;
  };
  /** Sequences running at once (vLLM `max_num_seqs`; the slot count, `OLLAMA_NUM_PARALLEL` / `--parallel`). */
  maxSequences: number;
  /** Prompt and decode tokens one iteration may process (vLLM `max_num_batched_tokens`, llama.cpp `n_batch`). */
  maxBatchedTokens: number;
  /** Requests waiting for a sequence slot beyond `limit` are refused with `status`. Left out: unbounded. */
  queue?: { limit: number; status: number; retryAfterMs?: number };
  /**
   * A gateway in front of the server refusing requests above `limit` in flight with 429 (a hidden
   * capacity, as with a proxy or a managed endpoint's concurrency cap). Left out: none.
   */
  inFlightLimit?: { limit: number; retryAfterMs?: number };
  /**
   * `shared`: one paged prefix cache for every request (vLLM automatic prefix caching, SGLang
   * RadixAttention); `per-slot`: each slot reuses the common prefix with the last prompt it ran
   * (llama.cpp `cache_prompt`; Ollama picks the slot with the longest common prefix); `none`.
   */
  prefixCache:
    | { kind: 'shared'; blockTokens: number; capacityBlocks: number }
    | { kind: 'per-slot' }
    | { kind: 'none' };
  /** US dollars per million tokens, for reporting (self-hosted: the GPU time, amortised). */
  price?: ModelPrice;
}

/** Any server profile. */
export type ServerProfile = ApiServerProfile | IterationServerProfile;

/**
 * A hosted API serving a small fast model (GPT-4o mini class) on a mid usage tier. Prompts are
 * those of a 200-agent simulation (~1,500 tokens, ~60 tokens out, `max_tokens` 768).
 */
export const apiProfile: ApiServerProfile = {
  kind: 'api',
  name: 'api',
  description: 'Hosted API, small fast model, usage tier 4 (10,000 RPM, 10M TPM)',
  calibration: [
    'Time to first token: median ~0.4 s, p5–p95 about 3× apart, for GPT-4o mini-class models (Artificial Analysis API leaderboard): lognormal, median 350 ms, sigma 0.35, plus prefill.',
    'Output speed ~80 tokens/s for the same class (Artificial Analysis): 12 ms between tokens.',
    'Prefill: a cached prompt answers up to 80% sooner on long prompts (OpenAI, Prompt Caching 201): 0.08 ms per uncached prompt token, so a 1,500-token uncached prompt adds 120 ms.',
    'Stragglers: hosted APIs show p99 time to first token 3–10× the median; 1% of attempts are slowed 3–10×.',
    'Rate limits: OpenAI usage tier 4 for gpt-4o-mini, 10,000 requests and 10,000,000 tokens per minute; tokens counted as prompt + max_tokens at admission (OpenAI rate-limit guide); enforced as buckets holding 6 s worth.',
    'Errors: 0.3% of attempts get a 500 (provider status pages report error rates of this order on ordinary days).',
    'Prompt cache: OpenAI caches prompts of 1,024 tokens or more in 128-token increments; gpt-4o-mini prices $0.15 / $0.075 cached / $0.60 per million tokens.',
  ],
  firstToken: { medianMilliseconds: 350, sigma: 0.35 },
  prefillMillisecondsPerToken: 0.08,
  interTokenMilliseconds: 12,
  stragglers: { probability: 0.01, minimumFactor: 3, maximumFactor: 10 },
  rateLimits: { requestsPerMinute: 10_000, tokensPerMinute: 10_000_000, burstSeconds: 6 },
  serverErrors: { probability: 0.003, status: 500 },
  promptCache: { blockTokens: 128, capacityBlocks: 200_000, minimumPromptTokens: 1024 },
  price: { inputPerMillion: 0.15, cachedInputPerMillion: 0.075, outputPerMillion: 0.6 },
};

/**
 * The hosted API on a bad day: the same model and limits, a heavier tail. For the hedging
 * benchmark.
 */
export const heavyTailApiProfile: ApiServerProfile = {
  ...apiProfile,
  name: 'api-heavy-tail',
  description: 'Hosted API with a heavy tail: 3% of attempts 6–20× slower; tier 5 limits',
  calibration: [
    ...apiProfile.calibration.filter(
      (line) => !line.startsWith('Stragglers') && !line.startsWith('Rate limits'),
    ),
    'Stragglers: 3% of attempts 6–20× slower, time to first token spread sigma 0.5 — a provider under load, where p99 time to first token reaches 10–20 s (status-page "elevated latency" incidents); "The Tail at Scale" (Dean and Barroso, 2013) is the classic account of such tails and of hedging them.',
    'Rate limits: OpenAI usage tier 5 for gpt-4o-mini, 30,000 requests and 150,000,000 tokens per minute, so the tail, not the limits, sets the pace.',
  ],
  firstToken: { medianMilliseconds: 350, sigma: 0.5 },
  stragglers: { probability: 0.03, minimumFactor: 6, maximumFactor: 20 },
  rateLimits: { requestsPerMinute: 30_000, tokensPerMinute: 150_000_000, burstSeconds: 6 },
};

/**
 * vLLM (or SGLang) serving an 8B model on one 80 GB GPU: continuous batching up to 256
 * sequences, chunked prefill, automatic prefix caching in 16-token blocks.
 */
export const continuousBatchingProfile: IterationServerProfile = {
  kind: 'continuous-batching',
  name: 'continuous-batching',
  description: 'vLLM-like server, 8B model on one 80 GB GPU, 256 sequences, prefix cache',
  calibration: [
    'Decode: time per output token rises about 3–4× from 1 to 256 concurrent sequences (vLLM serving benchmarks; e.g. 2.9 → 11.8 ms for Nemotron Nano on B200, Vultr inference cookbook): 7 ms + 0.06 ms per sequence, 22 ms at 256.',
    'Prefill: ~28,000 prompt tokens/s for an 8B model on an H100: 0.035 ms per token.',
    'Batch: max_num_seqs 256, max_num_batched_tokens 8192 (chunked prefill), FIFO admission, no queue limit (vLLM queues without bound).',
    'Prefix cache: 16-token blocks hashed with their prefix (vLLM automatic prefix caching, block_size 16), LRU; 28,000 blocks ≈ 450,000 tokens, the KV room left on 80 GB after 16 GB of weights at 128 KiB per token.',
  ],
  iteration: { baseMilliseconds: 7, perSequenceMilliseconds: 0.06, perPrefillTokenMilliseconds: 0.035 },
  maxSequences: 256,
  maxBatchedTokens: 8192,
  prefixCache: { kind: 'shared', blockTokens: 16, capacityBlocks: 28_000 },
};

/**
 * Ollama (or llama.cpp server) on a consumer GPU: 4 parallel slots, a FIFO queue of 512 that answers
 * 503 when full, each slot reusing its last prompt's common prefix.
 */
export const slotServerProfile: IterationServerProfile = {
  kind: 'slot-server',
  name: 'slot-server',
  description: 'Ollama-like server, 8B Q4 model on a consumer GPU, 4 slots, queue of 512',
  calibration: [
    'Slots: OLLAMA_NUM_PARALLEL=4 (llama.cpp --parallel 4); the queue: OLLAMA_MAX_QUEUE default 512, 503 when full (ollama/ollama#4144).',
    'Decode: ~130 tokens/s for one stream of an 8B Q4_K_M model on an RTX 4090 class GPU (llama.cpp benchmarks): 7.7 ms + 0.9 ms per active slot.',
    'Prefill: ~5,000 prompt tokens/s on the same GPU: 0.2 ms per token, n_batch 2048 per iteration.',
    'Prompt reuse per slot: llama.cpp cache_prompt keeps each slot’s last prompt; a request goes to the idle slot with the longest common prefix.',
  ],
  iteration: { baseMilliseconds: 7.7, perSequenceMilliseconds: 0.9, perPrefillTokenMilliseconds: 0.2 },
  maxSequences: 4,
  maxBatchedTokens: 2048,
  queue: { limit: 512, status: 503 },
  prefixCache: { kind: 'per-slot' },
};

/** Every named profile, by name. */
export const serverProfiles: Readonly<Record<string, ServerProfile>> = {
  [apiProfile.name]: apiProfile,
  [heavyTailApiProfile.name]: heavyTailApiProfile,
  [continuousBatchingProfile.name]: continuousBatchingProfile,
  [slotServerProfile.name]: slotServerProfile,
};
