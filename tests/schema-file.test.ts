import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scenarioJsonSchema } from '@sandtable/core';
import { describe, expect, it } from 'vitest';

describe('docs/scenario.schema.json', () => {
  it('matches the schema the code exports (regenerate with `npx sandtable schema > docs/scenario.schema.json`)', async () => {
    const committed = JSON.parse(
      await readFile(join(import.meta.dirname, '..', 'docs', 'scenario.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(scenarioJsonSchema());
  });
});
