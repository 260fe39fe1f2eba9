import { createHash, randomBytes } from 'node:crypto';

/** Prefix of every Sandtable API token, so a leaked one is recognisable in a secret scanner. */
export const tokenPrefix = 'st_';

/** A new random API token (`st_` + 32 random bytes, base64url). Shown to the user once, never stored. */
export function createApiToken(): string {
  return tokenPrefix + randomBytes(32).toString('base64url');
}

/** What is stored and looked up instead of the token: its SHA-256, hex. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Finds the workspace a token belongs to, by the token's SHA-256; undefined when unknown. */
export interface TokenDirectory {
  findWorkspace(tokenSha256: string): Promise<string | undefined>;
}
