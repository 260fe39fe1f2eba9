import type { ChatCallOptions, ChatRouter } from './router-types';
import { type ChatRequest, emptyUsage, ProviderError, type TokenUsage } from './types';

/**
 * The tier embedding calls go to. Embeddings are on when the model configuration names a tier
 * `embedding` (its endpoints serve an embedding model over `POST /v1/embeddings`); without it
 * nothing asks for embeddings and document search ranks by BM25 alone (decision 0014).
 */
export const embeddingTier = 'embedding';

/** Most texts sent in one embedding request. */
export const embeddingBatchSize = 64;

/** Who embedding calls are made for, and how they are sent. */
export interface EmbedOptions extends Pick<ChatCallOptions, 'signal' | 'runId' | 'step' | 'agentId'> {
  /** The tier or endpoint to ask. @defaultValue {@link embeddingTier} */
  target?: string;
  /** @defaultValue {@link embeddingBatchSize} */
  batchSize?: number;
}

/** Vectors of embedded texts, in input order, and what they cost in tokens. */
export interface EmbeddedTexts {
  vectors: number[][];
  usage: TokenUsage;
}

/** True when `router` serves the embedding tier (a recording replays it only when it was recorded). */
export function servesEmbeddings(router: ChatRouter | undefined, target = embeddingTier): boolean {
  return router?.hasTarget(target) ?? false;
}

/**
 * The request that embeds `texts`: no messages, the texts in `embed.input`. `model` names the
 * target; the router replaces it with the endpoint's model, and recordings key on it.
 */
export function embeddingRequest(texts: readonly string[], target = embeddingTier): ChatRequest {
  return { model: target, messages: [], embed: { input: [...texts] } };
}

/**
 * Embeds texts through a router, in batches of at most `batchSize` (sent together; the router's
 * per-endpoint limit decides how many run at once). Every batch is a routed model call: retried,
 * failed over, recorded and replayed like a chat call.
 * @throws {@link ProviderError} when a batch fails (after the router's retries), or
 * `PROVIDER_MALFORMED_REPLY` when a reply has the wrong number of vectors or mixed lengths.
 */
export async function embedTexts(
  router: ChatRouter,
  texts: readonly string[],
  options: EmbedOptions = {},
): Promise<EmbeddedTexts> {
  const target = options.target ?? embeddingTier;
  const size = Math.max(1, options.batchSize ?? embeddingBatchSize);
  const batches: string[][] = [];
  for (let start = 0; start < texts.length; start += size) batches.push(texts.slice(start, start + size));
  const { target: _target, batchSize: _batchSize, ...callOptions } = options;
  const replies = await Promise.all(
    batches.map((batch) => router.chat(target, embeddingRequest(batch, target), callOptions)),
  );
  const vectors: number[][] = [];
  const usage = emptyUsage();
  replies.forEach(({ response }, position) => {
    const batch = batches[position] as string[];
    const got = response.embeddings;
    if (!got || got.length !== batch.length) {
      throw new ProviderError(
        'PROVIDER_MALFORMED_REPLY',
        `${target}: ${got?.length ?? 0} embeddings for ${batch.length} texts`,
        { retryable: false },
      );
    }
    vectors.push(...got);
    usage.promptTokens += response.usage.promptTokens;
    usage.completionTokens += response.usage.completionTokens;
    usage.cachedPromptTokens += response.usage.cachedPromptTokens;
  });
  const length = vectors[0]?.length ?? 0;
  if (vectors.some((vector) => vector.length !== length)) {
    throw new ProviderError('PROVIDER_MALFORMED_REPLY', `${target}: the embeddings differ in length`, {
      retryable: false,
    });
  }
  return { vectors, usage };
}
