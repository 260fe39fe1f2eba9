import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateScenarioText } from '@sandtable/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { captureIo as capture } from '../test-support';
import { convertCommand } from './convert-command';

const examples = join(import.meta.dirname, '..', '..', '..', '..', 'scenarios', 'examples');

let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sandtable-convert-'));
});

describe('sandtable convert', () => {
  it("writes seed 004's YAML as valid native YAML", async () => {
    const io = capture();
    const out = join(directory, 'geopolitics.yaml');
    expect(await convertCommand(join(examples, 'seed-004-geopolitics.yaml'), { out }, io)).toBe(0);
    expect(io.stderr.at(-1)).toMatch(
      /\(seed-004\) → .*geopolitics\.yaml: valid — "seed-004-geopolitics", 2 agents, 50 steps$/,
    );
    const written = await readFile(out, 'utf8');
    expect(written).toMatch(/^# Converted from seed-004-geopolitics \(seed-004 format\)/);
    expect(written).toContain('clock:\n  steps: 50\n');
    expect(written).toContain('game_master:\n  brain: gemini/gemini-1.5-flash\n');
    // Valid without the game master block, which the scenario schema may not know yet.
    const withoutGameMaster = written.replace(/^game_master:\n(?: {2}.*\n|\s*\n)*/m, '');
    expect(validateScenarioText(withoutGameMaster, { file: out }).issues).toEqual([]);
  });

  it('prints seed 003 JSON as native YAML with the conversion notes on stderr', async () => {
    const io = capture();
    expect(await convertCommand(join(examples, 'seed-003-simulation.json'), {}, io)).toBe(0);
    const text = io.stdout.join('\n');
    expect(text).toContain('clock:\n  steps: 12\n  unit: round\n');
    expect(validateScenarioText(text).issues).toEqual([]);
    expect(io.stderr).toEqual(
      expect.arrayContaining([
        'note: environments dropped (no native equivalent yet): social, market; agents act through the generic act action and messages.',
      ]),
    );
  });

  it('exits 1 with located problems for bad input, and never overwrites the input', async () => {
    const broken = join(directory, 'broken.yaml');
    await writeFile(broken, 'max_steps: 0\nagents:\n  - llm: { provider: gemini }\n');
    const io = capture();
    expect(await convertCommand(broken, { out: join(directory, 'never.yaml') }, io)).toBe(1);
    expect(io.stderr).toEqual([
      'note: no engine block: the scenario runs without a game master.',
      `${broken}:1:12: max_steps: max_steps must be a positive whole number`,
      `${broken}:3:5: agents[0]: an agent needs a name`,
      `${broken}: 2 problems; nothing written`,
    ]);
    await expect(readFile(join(directory, 'never.yaml'), 'utf8')).rejects.toThrow();

    const missing = capture();
    expect(await convertCommand(join(directory, 'missing.yaml'), {}, missing)).toBe(1);
    expect(missing.stderr[0]).toMatch(/missing\.yaml: cannot read: file not found$/);

    const same = capture();
    expect(await convertCommand(broken, { out: broken }, same)).toBe(1);
    expect(same.stderr[0]).toContain('--out names the input file');
  });
});
