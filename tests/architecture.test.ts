import { cruise, type ICruiseResult } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

/**
 * Dependency direction is one-way — cli → server → store → core — and nothing imports in a
 * circle. These rules run on the real sources with dependency-cruiser.
 */
const rules = {
  forbidden: [
    {
      name: 'core-imports-no-other-package',
      severity: 'error',
      from: { path: '(^|/)packages/core/' },
      to: { path: '(^|/)packages/(?!core/)' },
    },
    {
      name: 'core-imports-no-sandtable-package',
      severity: 'error',
      from: { path: '(^|/)packages/core/' },
      to: { path: '@sandtable/(?!core)' },
    },
    {
      name: 'store-imports-only-core',
      severity: 'error',
      from: { path: '(^|/)packages/store/' },
      to: { path: '(^|/)packages/(server|cli|dashboard)/' },
    },
    {
      name: 'server-does-not-import-cli-or-dashboard',
      severity: 'error',
      from: { path: '(^|/)packages/server/' },
      to: { path: '(^|/)packages/(cli|dashboard)/' },
    },
    {
      name: 'dashboard-talks-to-the-server-over-http-only',
      severity: 'error',
      from: { path: '(^|/)packages/dashboard/' },
      to: { path: '(^|/)packages/(core|store|server|cli)/|@sandtable/' },
    },
    {
      name: 'no-circular-imports',
      severity: 'error',
      from: { path: '(^|/)packages/' },
      to: { circular: true },
    },
  ],
};

async function violations(paths: string[]) {
  const result = await cruise(paths, {
    validate: true,
    ruleSet: rules as never,
    tsPreCompilationDeps: true,
    exclude: { path: 'node_modules' },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'] },
  } as never);
  const output = result.output as ICruiseResult;
  return {
    modules: output.summary.totalCruised,
    found: output.summary.violations.map(
      (violation) => `${violation.rule.name}: ${violation.from} → ${violation.to}`,
    ),
  };
}

describe('architecture', () => {
  it('keeps the dependency direction one-way and has no import cycles', async () => {
    const { modules, found } = await violations(['packages']);
    expect(modules).toBeGreaterThan(30);
    expect(found).toEqual([]);
  });

  it('catches core importing the cli and an import cycle (the check itself works)', async () => {
    const { found } = await violations(['tests/__fixtures__/wrong-way']);
    expect(found.some((line) => line.startsWith('core-imports-no-other-package'))).toBe(true);
    expect(found.some((line) => line.startsWith('no-circular-imports'))).toBe(true);
    expect(found.some((line) => line.startsWith('dashboard-talks-to-the-server-over-http-only'))).toBe(true);
  });
});
