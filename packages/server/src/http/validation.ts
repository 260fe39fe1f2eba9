import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { z } from 'zod';
import { ApiError } from './api-error';

/** One problem in a request, with the dotted path of the field (`parameters.strike_days`). */
export interface RequestIssue {
  path: string;
  message: string;
}

function issuesOf(error: z.ZodError): RequestIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path
      .map((segment) => (typeof segment === 'number' ? `[${segment}]` : String(segment)))
      .join('.')
      .replaceAll('.[', '['),
    message: issue.message,
  }));
}

/**
 * `@hono/zod-validator` with the API's error shape: a request that does not match is a 400
 * `REQUEST_INVALID` listing every problem with its field path in `details.issues`.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      const issues = issuesOf(result.error as unknown as z.ZodError);
      const summary = issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
      throw new ApiError(
        400,
        'REQUEST_INVALID',
        `invalid ${target === 'json' ? 'request body' : target}: ${summary.join('; ')}`,
        {
          details: { issues },
        },
      );
    }
  });
}
