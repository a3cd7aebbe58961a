/**
 * Which browser Origins may open the live feed: which sites' pages may show it to their
 * visitors (and, were a credential ever ambient, cross-site WebSocket hijacking). Closed by
 * default:
 *
 * - no `Origin` header: not a browser (a server-side consumer, the bench, a probe): allowed;
 * - the deployment's own origin (its pages): always allowed. "Own" is the request URL's origin,
 *   so it follows the `Host` the request came with, and a DNS-rebinding page passes, on purpose:
 *   on Cloudflare only the deployment's own hostnames reach it, and what such a page could open
 *   is the public feed any non-browser client reads anyway; private matches need a token
 *   (docs/security.md, "Origins and the Host header");
 * - otherwise only what `ALLOWED_ORIGINS` lists: exact origins, `*` for any, or a loopback
 *   host with any port (`http://127.0.0.1:*`), which is what local development lists.
 */
export function originAllowed(
  origin: string | undefined,
  requestUrl: string,
  allowed: readonly string[],
): boolean {
  if (origin === undefined || origin === "") return true;
  let own: string;
  try {
    own = new URL(requestUrl).origin;
  } catch {
    own = "";
  }
  if (origin === own) return true;
  return allowed.some((entry) => entry === "*" || entry === origin || portWildcardMatches(entry, origin));
}

/** `scheme://host:*` matches that scheme and host on any port (and none). */
function portWildcardMatches(entry: string, origin: string): boolean {
  if (!entry.endsWith(":*")) return false;
  const base = entry.slice(0, -2);
  return (
    origin === base || (origin.startsWith(`${base}:`) && /^\d{1,5}$/.test(origin.slice(base.length + 1)))
  );
}
