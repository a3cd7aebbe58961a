import { assertNever } from "../../protocol/assert-never.ts";
import { judgeHost } from "./internal-host.ts";

/**
 * Which receiver URLs an endpoint may have, checked when it is registered and again before
 * every delivery (a URL stored by an older deploy, or under other settings, is not trusted):
 *
 * - sent exactly: no leading or trailing whitespace, no control characters, no spaces. The
 *   URL parser would silently drop some of them and keep others; a URL is refused rather than
 *   trimmed, so what is stored is what the operator typed and what is dialled;
 * - `https` to a host on the public internet (internal-host.ts: loopback, private, CGNAT,
 *   link-local, unique-local, IPv4-mapped, metadata and single-label names are refused, in
 *   every spelling the parser accepts);
 * - loopback (`127.0.0.0/8`, `[::1]`, `localhost`), over http or https, only when the
 *   deployment allows it for local development (`WEBHOOK_ALLOW_LOOPBACK_HTTP`);
 * - no credentials and no secret-looking query parameters: the admin list shows the URL, and
 *   the delivery is authenticated by its signature, which is where a secret belongs;
 * - at most 2,048 characters.
 *
 * Answers null when allowed, or the reason it is not, worded for a 400 or a dead letter.
 */
export const MAX_URL_LENGTH = 2048;

export interface UrlPolicy {
  /** Local development only: loopback receivers (and plain http to them) are allowed. */
  allowLoopbackHttp: boolean;
}

/** Words that make a query parameter's name a secret's ("api_key", "accessToken", "X-Auth-Sig"). */
const SECRET_WORDS = new Set([
  "key",
  "apikey",
  "token",
  "secret",
  "password",
  "passwd",
  "pwd",
  "auth",
  "authorization",
  "signature",
  "sig",
  "hmac",
  "credential",
  "credentials",
  "session",
  "sessionid",
  "jwt",
  "bearer",
]);
/** Endings that make one run-together word a secret's ("accesstoken", "xapikey", "clientsecret"). */
const SECRET_ENDINGS = ["token", "secret", "password", "apikey", "accesskey", "privatekey", "secretkey"];

/** Whether a query parameter's name looks like it carries a secret. */
export function secretLookingName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
  return words.some((w) => SECRET_WORDS.has(w) || SECRET_ENDINGS.some((end) => w.endsWith(end)));
}

/** C0 and C1 controls and DEL: the URL parser drops tabs and newlines silently and keeps the rest. */
function firstControlCharacter(text: string): number | null {
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return code;
  }
  return null;
}

const quoted = (text: string) => JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);

export function urlProblem(raw: string, policy: UrlPolicy): string | null {
  if (raw.length > MAX_URL_LENGTH) return `at most ${MAX_URL_LENGTH} characters`;
  if (/^\s|\s$/.test(raw))
    return "has leading or trailing whitespace: send the URL exactly, nothing around it";
  const control = firstControlCharacter(raw);
  if (control !== null) {
    return `contains a control character (U+${control.toString(16).toUpperCase().padStart(4, "0")})`;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not an absolute URL";
  }
  if (/\s/.test(raw)) return "contains whitespace: percent-encode it (%20)";
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return `must be an https URL, not ${url.protocol.slice(0, 20)}`;
  }
  if (url.username !== "" || url.password !== "") return "must not carry credentials (user:password@)";

  const host = judgeHost(url.hostname);
  switch (host.kind) {
    case "internal":
      return `must not point inside a network: ${host.why}`;
    case "loopback":
      if (!policy.allowLoopbackHttp) {
        return `must not point inside a network: ${host.why}; loopback only with WEBHOOK_ALLOW_LOOPBACK_HTTP=true (local development)`;
      }
      break;
    case "public":
      if (url.protocol !== "https:") {
        return "must be https (plain http only to loopback, with WEBHOOK_ALLOW_LOOPBACK_HTTP=true, for local development)";
      }
      break;
    default:
      return assertNever(host);
  }

  for (const name of url.searchParams.keys()) {
    if (secretLookingName(name)) {
      return `query parameter ${quoted(name)} looks like a secret: secrets belong in the signature (X-Crease-Signature), not the URL, which the admin list shows`;
    }
  }
  return null;
}

/**
 * The URL as the admin API shows it: credentials and the values of secret-looking query
 * parameters replaced. New URLs carrying either are refused; this covers ones stored before
 * the refusal existed, so no list shows them.
 */
export function redactedUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  const secretNames = [...url.searchParams.keys()].filter(secretLookingName);
  if (url.username === "" && url.password === "" && secretNames.length === 0) return raw;
  url.username = "";
  url.password = "";
  for (const name of secretNames) url.searchParams.set(name, "REDACTED");
  return url.href;
}
