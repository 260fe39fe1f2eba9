import { describe, expect, it } from 'vitest';
import { apiErrorFromResponse } from './api-error';

describe('apiErrorFromResponse', () => {
  it('keeps the server code, message and the issues with their lines', async () => {
    const body = {
      error: {
        code: 'SCENARIO_INVALID',
        message: 'Scenario has 1 problem',
        details: {
          issues: [
            {
              line: 8,
              column: 46,
              path: 'variables.tension.min',
              message: 'min (2) is greater than max (1)',
            },
          ],
        },
      },
    };
    const error = await apiErrorFromResponse(new Response(JSON.stringify(body), { status: 422 }));
    expect([error.code, error.status, error.message]).toEqual([
      'SCENARIO_INVALID',
      422,
      'Scenario has 1 problem',
    ]);
    expect(error.issues).toEqual(body.error.details.issues);
    expect(error.isUnauthorized).toBe(false);
  });

  it('names the HTTP status when the body is not the API error shape, and flags a refused token', async () => {
    const error = await apiErrorFromResponse(
      new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    );
    expect([error.code, error.message]).toEqual(['HTTP_502', '502 Bad Gateway']);
    const refused = await apiErrorFromResponse(
      new Response(
        JSON.stringify({ error: { code: 'TOKEN_INVALID', message: 'the API token is not known' } }),
        { status: 401 },
      ),
    );
    expect(refused.isUnauthorized).toBe(true);
  });
});
