/**
 * Which receiver URLs an endpoint may have: https anywhere; plain http only to a loopback host
 * (127.0.0.1, ::1, localhost), which only a local `wrangler dev` can reach. No credentials in
 * the URL (the list would show them), at most 2,048 characters. Answers null when allowed, or
 * the reason it is not.
 */
export const MAX_URL_LENGTH = 2048;

const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

export function urlProblem(raw: string): string | null {
  if (raw.length > MAX_URL_LENGTH) return `at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "not an absolute URL";
  }
  if (url.username !== "" || url.password !== "") return "must not carry credentials (user:password@)";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:") {
    return LOOPBACK.has(url.hostname)
      ? null
      : "must be https (plain http only to 127.0.0.1, ::1 or localhost)";
  }
  return "must be an http(s) URL";
}
