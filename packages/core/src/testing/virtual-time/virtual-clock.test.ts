import { describe, expect, it } from 'vitest';
import { SandtableError } from '../../errors';
import { VirtualClock } from './virtual-clock';

function sleep(clock: VirtualClock, milliseconds: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimeout(resolve, milliseconds);
  });
}

describe('VirtualClock', () => {
  it('fires timers in time order, then in the order they were set, and jumps straight to them', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    await clock.run(async () => {
      await Promise.all([
        sleep(clock, 3_600_000).then(() => fired.push(`hour at ${clock.now()}`)),
        sleep(clock, 10).then(() => fired.push(`first 10 at ${clock.now()}`)),
        sleep(clock, 10).then(() => fired.push(`second 10 at ${clock.now()}`)),
      ]);
    });
    expect(fired).toEqual(['first 10 at 10', 'second 10 at 10', 'hour at 3600000']);
    expect(clock.now()).toBe(3_600_000);
  });

  it('lets code that yields with setImmediate finish before time moves on', async () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    await clock.run(async () => {
      for (let round = 0; round < 3; round++) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        seen.push(clock.now());
        await sleep(clock, 100);
      }
    });
    expect(seen).toEqual([0, 100, 200]);
  });

  it('skips cleared timers', async () => {
    const clock = new VirtualClock();
    let fired = false;
    await clock.run(async () => {
      const handle = clock.setTimeout(() => {
        fired = true;
      }, 50);
      clock.clearTimeout(handle);
      await sleep(clock, 100);
    });
    expect(fired).toBe(false);
    expect(clock.now()).toBe(100);
  });

  it('says so when the work waits on something that is not a virtual timer', async () => {
    const clock = new VirtualClock();
    const stalled = clock.run(() => new Promise<void>(() => undefined));
    await expect(stalled).rejects.toBeInstanceOf(SandtableError);
    await expect(stalled).rejects.toMatchObject({ code: 'VIRTUAL_TIME_STALLED' });
  });
});
