/**
 * How a store URL is shown in errors, logs and events: without its secrets.
 *
 * Invariants:
 * - a URL's user info (`redis://:secret@host`, `redis://user:secret@host`) never shows its
 *   password: the part after the user name becomes `***` (a user info without `:` may be a
 *   token, and becomes `***` whole); everything up to the last `@` counts as user info, so a
 *   malformed URL with an unescaped `@` or `/` in its password is redacted as well;
 * - a query string (`?password=...`) shows as `?***`, a fragment not at all;
 * - a `sqlite://` path is a file name, shown as it is (an `@` in it is not user info);
 * - redacting is idempotent and leaves a URL without secrets unchanged.
 */

const SCHEME = /^\s*([a-z][a-z0-9+.-]*:\/*)?/i;

/** The store option as it may be shown: no password, no query string. */
export function redactStoreUrl(url: string): string {
  if (/^sqlite:\/\//i.test(url)) return url;
  let head = '';
  let rest = url;
  // everything up to the last `@` is user info, whatever its characters (a newline, a typo'd
  // scheme, none at all): only a user name before a `:` is kept
  const at = url.lastIndexOf('@');
  if (at >= 0) {
    const scheme = SCHEME.exec(url)?.[1] ?? '';
    const userInfo = url.slice(url.indexOf(scheme) + scheme.length, at);
    const colon = userInfo.indexOf(':');
    head = `${scheme}${colon >= 0 ? `${userInfo.slice(0, colon)}:***` : '***'}@`;
    rest = url.slice(at + 1);
  }
  const query = rest.search(/[?#]/);
  if (query >= 0) rest = `${rest.slice(0, query)}${rest[query] === '?' ? '?***' : ''}`;
  return `${head}${rest}`;
}
