import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../http/api-error';

/** Routes anyone may call: a load balancer's health checks. */
const openPaths = new Set(['/healthz', '/readyz']);

/** Variables the auth middleware sets on the request context. */
export interface AuthVariables {
  /** The workspace whose runs and scenarios this request may see and steer. */
  workspace: string;
}

/** Options of {@link authMiddleware}. */
export interface AuthOptions {
  /** From {@link tokenRequired}: the bound host and `--require-token`. */
  required: boolean;
  /** The workspace id of a token secret, or undefined for an unknown or revoked one (the store). */
  verifyToken: (secret: string) => Promise<string | undefined>;
  /** The workspace of requests without a token when none is required. */
  defaultWorkspace: () => Promise<string>;
  /** Paths served without a token besides health (the dashboard's static files: they hold no data). */
  isPublicPath?: (path: string) => boolean;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/**
 * Resolves the caller's workspace from `Authorization: Bearer <token>` (or `?token=` on the event
 * streams, because EventSource cannot set headers). Without a token: 401 when tokens are required,
 * else the default workspace. An unknown token is always a 401, never a silent downgrade.
 */
export function authMiddleware(options: AuthOptions): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (context, next) => {
    const path = context.req.path;
    if (openPaths.has(path) || options.isPublicPath?.(path)) return next();
    const header = context.req.header('authorization');
    const fromQuery = path.endsWith('/events') ? context.req.query('token') : undefined;
    const token = bearerToken(header) ?? fromQuery;
    if (header !== undefined && bearerToken(header) === undefined) {
      throw new ApiError(401, 'TOKEN_MALFORMED', 'the Authorization header must be "Bearer <token>"');
    }
    if (token === undefined) {
      if (options.required) {
        throw new ApiError(
          401,
          'TOKEN_REQUIRED',
          'this server requires an API token: send "Authorization: Bearer <token>" (create one with `sandtable token create`)',
        );
      }
      context.set('workspace', await options.defaultWorkspace());
      return next();
    }
    const workspace = await options.verifyToken(token);
    if (workspace === undefined)
      throw new ApiError(401, 'TOKEN_INVALID', 'the API token is not known to this server');
    context.set('workspace', workspace);
    return next();
  };
}
