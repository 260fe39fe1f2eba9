/**
 * A URL safe to print: user name, password and query values (where some servers take keys) are
 * replaced by `***`. Text that is not a URL is returned unchanged.
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.username && !parsed.password && parsed.search === '') return url;
    if (parsed.username) parsed.username = '***';
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) parsed.searchParams.set(key, '***');
    return parsed.toString();
  } catch {
    return url;
  }
}
