import type { ChatCallOptions, RoutedChatResponse } from './router-types';
import type { ChatRouter } from './run-recording';
import { type AttemptRecord, type ChatRequest, ProviderError } from './types';

/** A cap on a run's model spending. */
export interface ModelBudget {
  /** Most prompt + completion tokens for the run. */
  maxTokens?: number;
  /** Most money for the run, in USD (needs endpoint prices). */
  maxCostUsd?: number;
  /** What happens past the cap: `downgrade` (agents continue on the rule brain) or `stop` the run. @defaultValue 'downgrade' */
  onExceeded?: 'downgrade' | 'stop';
}

/**
 * Counts every attempt's tokens and cost against a {@link ModelBudget}. Once the budget is spent,
 * `onExceeded` is called once with a message saying what was spent, and every further call fails
 * at once with `PROVIDER_BUDGET_EXCEEDED` (so model brains fall back to rules, marked `fallback`).
 */
export class BudgetedRouter implements ChatRouter {
  private tokens = 0;
  private costUsd = 0;
  private exceeded = false;

  constructor(
    private readonly inner: ChatRouter,
    private readonly budget: ModelBudget,
    private readonly onExceeded: (message: string) => void,
  ) {}

  hasTarget(target: string): boolean {
    return this.inner.hasTarget(target);
  }

  /** What has been spent so far. */
  get spent(): { tokens: number; costUsd: number } {
    return { tokens: this.tokens, costUsd: this.costUsd };
  }

  private count(attempts: readonly AttemptRecord[] | undefined): void {
    for (const attempt of attempts ?? []) {
      this.tokens += attempt.usage.promptTokens + attempt.usage.completionTokens;
      this.costUsd += attempt.costUsd;
    }
    const overTokens = this.budget.maxTokens !== undefined && this.tokens >= this.budget.maxTokens;
    const overCost = this.budget.maxCostUsd !== undefined && this.costUsd >= this.budget.maxCostUsd;
    if (!this.exceeded && (overTokens || overCost)) {
      this.exceeded = true;
      const what = overTokens
        ? `${this.tokens} tokens of a ${this.budget.maxTokens}-token budget`
        : `$${this.costUsd.toFixed(4)} of a $${this.budget.maxCostUsd} budget`;
      const then =
        (this.budget.onExceeded ?? 'downgrade') === 'stop'
          ? 'the run stops after this step'
          : 'remaining model decisions use the rule brain';
      this.onExceeded(`Model budget spent: ${what}; ${then}.`);
    }
  }

  async chat(
    target: string,
    request: ChatRequest,
    options: ChatCallOptions = {},
  ): Promise<RoutedChatResponse> {
    if (this.exceeded) {
      throw new ProviderError('PROVIDER_BUDGET_EXCEEDED', 'the run’s model budget is spent', {
        retryable: false,
      });
    }
    try {
      const routed = await this.inner.chat(target, request, options);
      this.count(routed.attempts);
      return routed;
    } catch (error) {
      if (error instanceof ProviderError) this.count(error.attempts);
      throw error;
    }
  }
}
