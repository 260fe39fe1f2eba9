import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimulatedModelServer } from '@sandtable/core/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../main';
import { captureIo as capture } from '../test-support';

async function sandtable(...args: string[]) {
  const io = capture();
  const code = await main(['node', 'sandtable', ...args], io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'sandtable-new-'));
});

describe('sandtable templates', () => {
  it('lists twenty templates by category with their parameters and defaults', async () => {
    const { code, stdout } = await sandtable('templates');
    expect(code).toBe(0);
    for (const category of [
      'commodity',
      'logistics',
      'macro',
      'regulatory',
      'disaster',
      'geopolitical',
      'social',
      'market',
    ]) {
      expect(stdout).toContain(`\n${category}\n`);
    }
    expect(stdout).toMatch(/port-strike +Dockworkers at a container port strike/);
    expect(stdout).toContain('port=Rotterdam, duration_days=14 [0–60], month=March, retailers=30 [3–300]');
    expect(stdout).toContain('backstop=true (true|false)');
    expect(stdout).toContain('20 templates.');
    const listed = JSON.parse((await sandtable('templates', '--json')).stdout);
    expect(listed).toHaveLength(20);
    expect(listed[0]).toMatchObject({
      name: 'commodity-price-shock',
      category: 'commodity',
      keyParameter: 'shock_percent',
    });
  });
});

describe('sandtable new', () => {
  it('fills a template with --set values and writes a file that sandtable validate accepts', async () => {
    const file = join(directory, 'antwerp.yaml');
    const written = await sandtable(
      'new',
      '--template',
      'port-strike',
      '--set',
      'port=Antwerp',
      '--set',
      'duration_days=21',
      '--out',
      file,
    );
    expect(written.code).toBe(0);
    expect(written.stderr).toContain(`${file}: valid — "Strike at the port of Antwerp", 39 agents, 90 days`);
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=.*docs\/scenario\.schema\.json$/);
    expect(text).toContain('default: 21');
    const validated = await sandtable('validate', file);
    expect(validated.code).toBe(0);
    expect(validated.stdout).toContain('valid — "Strike at the port of Antwerp"');
  });

  it('names the valid templates and parameters when one is unknown, and refuses bad values', async () => {
    const template = await sandtable('new', '--template', 'port-closure');
    expect(template.code).toBe(1);
    expect(template.stderr).toMatch(
      /unknown template "port-closure"; known templates: commodity-price-shock, .*port-strike/,
    );
    const parameter = await sandtable('new', '--template', 'flood', '--set', 'ships=3');
    expect(parameter.code).toBe(1);
    expect(parameter.stderr).toContain(
      'has no parameter "ships"; its parameters: town, boats, rainfall_intensity, levee_breach_hour',
    );
    const value = await sandtable('new', '--template', 'flood', '--set', 'boats=many');
    expect(value.code).toBe(1);
    expect(value.stderr).toContain('parameters.boats: "many" is not a number');
    const neither = await sandtable('new');
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain('give a description');
  });

  it('turns a sentence into a scenario offline and says what it guessed', async () => {
    const file = join(directory, 'rotterdam.yaml');
    const result = await sandtable(
      'new',
      'A 3-week strike closes Rotterdam port in March',
      '--offline',
      '--out',
      file,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('template: port-strike (logistics)');
    expect(result.stderr).toContain('guessed: duration_days = 21 (from "3-week")');
    expect(result.stderr).toContain('guessed: port = Rotterdam (from "Rotterdam")');
    expect(result.stderr).toContain('defaults: retailers = 30');
    expect((await sandtable('validate', file)).code).toBe(0);
    // --set overrides what was read.
    const overridden = await sandtable(
      'new',
      'A 3-week strike closes Rotterdam port in March',
      '--offline',
      '--set',
      'retailers=12',
    );
    expect(overridden.stdout).toContain('count: 12');
    expect(overridden.stdout).toContain('Strike at the port of Rotterdam');
  });

  it('asks the configured model (tier smart) and writes what it chose', async () => {
    const server = await SimulatedModelServer.start({
      reply: () => ({
        toolCalls: [
          {
            name: 'choose_template',
            arguments: {
              template: 'canal-blockage',
              parameters: { canal: 'Panama Canal', duration_days: 9 },
              rationale: 'a canal is blocked',
            },
          },
        ],
      }),
    });
    try {
      const config = join(directory, 'models.yaml');
      await writeFile(
        config,
        `endpoints:\n  sim: { baseUrl: "${server.openaiBaseUrl}", model: simulated-model }\ntiers:\n  smart: [sim]\n`,
      );
      const file = join(directory, 'panama.yaml');
      const result = await sandtable(
        'new',
        'Drought closes the Panama Canal to big ships for nine days',
        '--model-config',
        config,
        '--out',
        file,
      );
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('template: canal-blockage (logistics) — chosen by the model in 1 call');
      expect(result.stderr).toContain('why: a canal is blocked');
      expect(await readFile(file, 'utf8')).toContain('name: "Blockage of the Panama Canal"');
      expect(server.requests()).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
