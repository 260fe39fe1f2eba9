import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from './circuit-breaker';
import type { Clock } from './clock';
import { EndpointLimiter, type Permit } from './endpoint-limiter';

/** A clock that only moves when told to; timers fire on `advance`. */
class ManualClock implements Clock {
  time = 1_000_000;
  readonly #timers = new Map<number, { at: number; callback: () => void }>();
  #next = 0;

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, milliseconds: number): unknown {
    this.#next += 1;
    this.#timers.set(this.#next, { at: this.time + milliseconds, callback });
    return this.#next;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as number);
  }

  get pendingTimers(): number {
    return this.#timers.size;
  }

  advance(milliseconds: number): void {
    this.time += milliseconds;
    for (const [handle, timer] of [...this.#timers]) {
      if (timer.at <= this.time) {
        this.#timers.delete(handle);
        timer.callback();
      }
    }
  }
}

function take(limiter: EndpointLimiter, count: number): Permit[] {
  return Array.from({ length: count }, () => limiter.tryAcquire()).filter(
    (permit): permit is Permit => permit !== undefined,
  );
}

describe('EndpointLimiter', () => {
  it('never lets more than the limit run, and serves waiters in order', async () => {
    const limiter = new EndpointLimiter(new ManualClock(), { maxConcurrency: 2 });
    const running = take(limiter, 3);
    expect(running).toHaveLength(2);
    const order: string[] = [];
    const first = limiter.acquire().then((permit) => order.push('first') && permit);
    const second = limiter.acquire().then((permit) => order.push('second') && permit);
    expect(limiter.queued).toBe(2);
    expect(limiter.outstanding).toBe(4);
    running[0]!.release();
    running[0]!.release(); // a second release of the same permit is ignored
    await first;
    expect(order).toEqual(['first']);
    expect(limiter.inFlight).toBe(2);
    running[1]!.release();
    await second;
    expect(order).toEqual(['first', 'second']);
  });

  it('halves once per round of overload, never below 1, then slow-starts back to where the cut came from', () => {
    const limiter = new EndpointLimiter(new ManualClock(), { maxConcurrency: 8 });
    const round = take(limiter, 8);
    for (const permit of round) limiter.recordOverload(permit);
    expect(limiter.limit).toBe(4); // eight 429s from one round halve once
    for (const permit of round) permit.release();
    for (let index = 0; index < 4; index += 1) {
      const [permit] = take(limiter, 1);
      limiter.recordOverload(permit);
      permit!.release();
    }
    expect(limiter.limit).toBe(1);
    // Slow start: each window of `limit` successes doubles the limit, whatever their latency.
    limiter.recordSuccess(10);
    expect(limiter.limit).toBe(2);
    limiter.recordSuccess(900);
    limiter.recordSuccess(15);
    expect(limiter.limit).toBe(4);
    for (let index = 0; index < 3; index += 1) limiter.recordSuccess(700);
    expect(limiter.limit).toBe(4);
    limiter.recordSuccess(700);
    expect(limiter.limit).toBe(8);
  });

  it('doubles per window of successes and stops at the maximum', () => {
    const limiter = new EndpointLimiter(new ManualClock(), { maxConcurrency: 6 });
    const [permit] = take(limiter, 1);
    limiter.recordOverload(permit); // 6 → 3
    permit!.release();
    expect(limiter.limit).toBe(3);
    for (let index = 0; index < 2; index += 1) limiter.recordSuccess(10);
    expect(limiter.limit).toBe(3);
    limiter.recordSuccess(10);
    expect(limiter.limit).toBe(6); // 3 × 2, capped at the maximum
    for (let index = 0; index < 40; index += 1) limiter.recordSuccess(10);
    expect(limiter.limit).toBe(6);
  });

  it('keeps a fixed limit when adaptation is off', () => {
    const limiter = new EndpointLimiter(new ManualClock(), { maxConcurrency: 4, adaptive: false });
    limiter.recordOverload(undefined);
    expect(limiter.limit).toBe(4);
  });

  it('pauses for a retry-after, then lets waiters through, leaving no timer behind', async () => {
    const clock = new ManualClock();
    const limiter = new EndpointLimiter(clock, { maxConcurrency: 4 });
    limiter.recordOverload(undefined, 300);
    expect(limiter.tryAcquire()).toBeUndefined();
    let granted = false;
    const waiting = limiter.acquire().then((permit) => {
      granted = true;
      return permit;
    });
    clock.advance(299);
    await Promise.resolve();
    expect(granted).toBe(false);
    clock.advance(1);
    (await waiting).release();
    expect(granted).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects a waiter whose signal fires, and all waiters on close', async () => {
    const limiter = new EndpointLimiter(new ManualClock(), { maxConcurrency: 1 });
    take(limiter, 1);
    const controller = new AbortController();
    const aborted = limiter.acquire(controller.signal);
    const closed = limiter.acquire();
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'PROVIDER_ABORTED' });
    expect(limiter.queued).toBe(1);
    limiter.close();
    await expect(closed).rejects.toMatchObject({ code: 'PROVIDER_ABORTED' });
  });
});

describe('CircuitBreaker', () => {
  it('opens after consecutive failures, lets one probe through after the cooldown, and closes on success', () => {
    const clock = new ManualClock();
    const breaker = new CircuitBreaker(clock, { failureThreshold: 3, cooldownMs: 1000 });
    breaker.onFailure();
    breaker.onFailure();
    breaker.onSuccess(); // a success in between resets the count
    breaker.onFailure();
    breaker.onFailure();
    expect(breaker.state).toBe('closed');
    breaker.onFailure();
    expect(breaker.state).toBe('open');
    expect(breaker.allowsAttempt()).toBe(false);
    clock.advance(1000);
    expect(breaker.state).toBe('half-open');
    expect(breaker.allowsAttempt()).toBe(true);
    breaker.onAttemptStart();
    expect(breaker.allowsAttempt()).toBe(false); // only one probe at a time
    breaker.onFailure();
    expect(breaker.state).toBe('open'); // the probe failed: another cooldown
    clock.advance(1000);
    breaker.onAttemptStart();
    breaker.onSuccess();
    expect(breaker.state).toBe('closed');
    expect(breaker.consecutiveFailures).toBe(0);
  });
});
