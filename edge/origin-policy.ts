/**
 * Which browser Origins may open the live feed (cross-site WebSocket hijacking is the threat:
 * any page could otherwise open a viewer's socket with their cookies). Closed by default:
 *
 * - no `Origin` header: not a browser (a server-side consumer, the bench, a probe): allowed;
 * - the deployment's own origin (its pages): always allowed;
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
