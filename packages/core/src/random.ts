import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/**
 * Seeded randomness. The engine never calls `Math.random`: every draw comes from a generator
 * derived from the run seed and a stream key (e.g. `['decide', step, agentIndex]`), so a draw does
 * not depend on the order in which concurrent work completes, and a resumed run can rebuild any
 * generator from the seed and the step alone.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  integer(min: number, max: number): number;
  /** A normally distributed value (Box–Muller). */
  normal(mean: number, standardDeviation: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A new array with the items in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
}

/** FNV-1a over the stream key, mixed with the seed: a stable 32-bit seed per stream. */
export function deriveSeed(seed: number, stream: ReadonlyArray<string | number>): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0) ^ Math.floor(seed / 0x100000000);
  const text = stream.join('\u0000');
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash | 0;
}

/**
 * Creates a generator for one stream of a seeded run.
 * @example
 * const random = createRandom(42, ['decide', 3, 'agent-7']);
 * random.next(); // same value on every machine, every time
 */
export function createRandom(seed: number, stream: ReadonlyArray<string | number> = []): Random {
  return new SeededRandom(deriveSeed(seed, stream));
}

/** xoroshiro128+ behind the {@link Random} interface; a class so creating one allocates no closures. */
class SeededRandom implements Random {
  private readonly generator: ReturnType<typeof xoroshiro128plus>;

  constructor(seed: number) {
    this.generator = xoroshiro128plus(seed);
  }

  next(): number {
    return uniformFloat64(this.generator);
  }

  integer(min: number, max: number): number {
    return uniformInt(this.generator, min, max);
  }

  normal(mean: number, standardDeviation: number): number {
    const u = 1 - this.next();
    const v = this.next();
    return mean + standardDeviation * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  shuffle<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index--) {
      const other = Math.floor(this.next() * (index + 1));
      [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
    }
    return copy;
  }
}
