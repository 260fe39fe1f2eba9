import { Environment } from '@marcbachmann/cel-js';
import { ExpressionError } from './errors';

/**
 * Sandtable's expression language: CEL (Common Expression Language) through
 * `@marcbachmann/cel-js`, an interpreter with no `eval`/`Function`. Expressions drive dynamics,
 * action effects, metrics and termination conditions.
 *
 * Sandtable keeps every number a JS double, so it adds mixed `double`/`int` arithmetic (CEL has
 * none: `inventory - 10` would fail), `%` on doubles, and numeric helpers (`min`, `max`, `abs`,
 * `clamp`, `round`, `floor`, `ceil`, `sqrt`, `pow`, `sum`, `mean`, `count`). See
 * docs/scenario-reference.md for the full list.
 */

/** A type in an expression declaration: a CEL type name, or a map of field names to types. */
export type ExpressionType = string | { [field: string]: ExpressionType };

/** Names an expression may read, with their types. Used for checking only. */
export type ExpressionDeclarations = Record<string, ExpressionType>;

/** A parsed expression ready to run many times. */
export interface CompiledExpression {
  readonly source: string;
  /** Evaluates against a context of plain values; CEL integers come back as JS numbers. */
  evaluate(context: Record<string, unknown>): unknown;
}

const numericFunctions: Record<string, (...values: number[]) => number> = {
  abs: Math.abs,
  round: Math.round,
  floor: Math.floor,
  ceil: Math.ceil,
  sqrt: Math.sqrt,
  log: Math.log,
  exp: Math.exp,
  sign: Math.sign,
};

const binaryFunctions: Record<string, (a: number, b: number) => number> = {
  min: Math.min,
  max: Math.max,
  pow: Math.pow,
};

const arithmetic: Record<string, (a: number, b: number) => number> = {
  '+': (a, b) => a + b,
  '-': (a, b) => a - b,
  '*': (a, b) => a * b,
  '/': (a, b) => a / b,
  '%': (a, b) => a % b,
};

function toNumber(value: unknown): number {
  return typeof value === 'bigint' ? Number(value) : (value as number);
}

function numericList(values: unknown): number[] {
  return (values as unknown[]).map(toNumber);
}

function registerNumericSupport(environment: Environment): Environment {
  const numericPairs: Array<[string, string]> = [
    ['double', 'int'],
    ['int', 'double'],
  ];
  for (const [op, apply] of Object.entries(arithmetic)) {
    for (const [left, right] of numericPairs) {
      environment.registerOperator(`${left} ${op} ${right}`, (a: unknown, b: unknown) =>
        apply(toNumber(a), toNumber(b)),
      );
    }
  }
  environment.registerOperator('double % double', (a: number, b: number) => a % b);
  // CEL's checker has no double/int equality; numbers are all doubles here, so `x == 0` must work.
  for (const [left, right] of numericPairs) {
    for (const [op, apply] of [
      ['==', (a: number, b: number) => a === b],
      ['!=', (a: number, b: number) => a !== b],
    ] as const) {
      try {
        environment.registerOperator(`${left} ${op} ${right}`, (a: unknown, b: unknown) =>
          apply(toNumber(a), toNumber(b)),
        );
      } catch {
        // already built in for this pair
      }
    }
  }
  for (const [name, apply] of Object.entries(numericFunctions)) {
    for (const type of ['double', 'int']) {
      environment.registerFunction(`${name}(${type}): double`, (value: unknown) => apply(toNumber(value)));
    }
  }
  const numericTypes = ['double', 'int'];
  for (const [name, apply] of Object.entries(binaryFunctions)) {
    for (const left of numericTypes) {
      for (const right of numericTypes) {
        environment.registerFunction(`${name}(${left}, ${right}): double`, (a: unknown, b: unknown) =>
          apply(toNumber(a), toNumber(b)),
        );
      }
    }
  }
  for (const a of numericTypes) {
    for (const b of numericTypes) {
      for (const c of numericTypes) {
        environment.registerFunction(
          `clamp(${a}, ${b}, ${c}): double`,
          (value: unknown, low: unknown, high: unknown) =>
            Math.min(Math.max(toNumber(value), toNumber(low)), toNumber(high)),
        );
      }
    }
  }
  for (const element of ['double', 'int', 'dyn']) {
    environment.registerFunction(`sum(list<${element}>): double`, (values: unknown) =>
      numericList(values).reduce((total, value) => total + value, 0),
    );
    environment.registerFunction(`mean(list<${element}>): double`, (values: unknown) => {
      const list = numericList(values);
      return list.length === 0 ? 0 : list.reduce((total, value) => total + value, 0) / list.length;
    });
    environment.registerFunction(`minOf(list<${element}>): double`, (values: unknown) => {
      const list = numericList(values);
      return list.length === 0 ? 0 : list.reduce((low, value) => Math.min(low, value));
    });
    environment.registerFunction(`maxOf(list<${element}>): double`, (values: unknown) => {
      const list = numericList(values);
      return list.length === 0 ? 0 : list.reduce((high, value) => Math.max(high, value));
    });
  }
  // count(list): elements that are not `false` — the trues of a boolean list, the size of any other.
  for (const element of ['dyn', 'bool', 'double']) {
    environment.registerFunction(`count(list<${element}>): double`, (values: unknown) =>
      (values as unknown[]).reduce<number>((total, value) => total + (value === false ? 0 : 1), 0),
    );
  }
  return environment;
}

let runtimeEnvironment: Environment | undefined;

function runtime(): Environment {
  runtimeEnvironment ??= registerNumericSupport(new Environment({ unlistedVariablesAreDyn: true }));
  return runtimeEnvironment;
}

function normalise(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(normalise);
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([key, item]) => [key, normalise(item)]));
  return value;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/**
 * Parses `source` once for repeated evaluation. Throws {@link ExpressionError} on a syntax error.
 * Does not check names or types: use {@link ExpressionChecker} for that.
 */
export function compileExpression(source: string): CompiledExpression {
  let program: (context: Record<string, unknown>) => unknown;
  try {
    program = runtime().parse(source) as unknown as (context: Record<string, unknown>) => unknown;
  } catch (error) {
    throw new ExpressionError(source, firstLine((error as Error).message), { cause: error });
  }
  return {
    source,
    evaluate(context) {
      try {
        return normalise(program(context));
      } catch (error) {
        throw new ExpressionError(source, firstLine((error as Error).message), { cause: error });
      }
    },
  };
}

/**
 * Checks expressions against declared names and types without running them: unknown variables,
 * unknown fields (`self.invntory`), type mismatches and syntax errors come back as one-line
 * messages.
 */
export class ExpressionChecker {
  private readonly environment: Environment;

  /**
   * @param declarations names an expression may read, with their types
   * @param types named record types (e.g. `Agent`) usable in declarations, as field → type
   */
  constructor(declarations: ExpressionDeclarations, types: Record<string, Record<string, string>> = {}) {
    this.environment = registerNumericSupport(new Environment());
    for (const [name, fields] of Object.entries(types)) {
      this.environment.registerType(name, { fields } as never);
    }
    for (const [name, type] of Object.entries(declarations)) {
      if (typeof type === 'string') this.environment.registerVariable(name, type);
      else this.environment.registerVariable({ name, schema: type } as never);
    }
  }

  /** Returns an error message, or undefined when the expression is valid. */
  check(source: string, expected?: 'bool' | 'number'): string | undefined {
    let result: { valid: boolean; type?: string; error?: Error };
    try {
      result = this.environment.check(source) as typeof result;
    } catch (error) {
      return firstLine((error as Error).message);
    }
    if (!result.valid) return firstLine(result.error?.message ?? 'invalid expression');
    if (expected === 'bool' && result.type !== 'bool' && result.type !== 'dyn') {
      return `expected a true/false expression, got ${result.type}`;
    }
    if (expected === 'number' && !['double', 'int', 'dyn'].includes(result.type ?? '')) {
      return `expected a numeric expression, got ${result.type}`;
    }
    return undefined;
  }
}
