/**
 * The key a client is rate-limited by: its address as the platform gives it
 * (`CF-Connecting-IP`), with an IPv6 address cut to its /64. One IPv6 subscriber usually holds
 * a whole /64 and can pick any address in it, so limiting per address would let one client
 * spread over 2^64 keys; an IPv4 address is one key. Anything unparseable is its own key.
 */
export function rateLimitKey(address: string): string {
  const trimmed = address.trim().toLowerCase();
  if (!trimmed.includes(":")) return trimmed.slice(0, 64);
  const prefix = ipv6Prefix64(trimmed);
  return prefix === null ? trimmed.slice(0, 64) : `${prefix}::/64`;
}

/** The first four groups of an IPv6 address, each without leading zeros; null if it is not one. */
function ipv6Prefix64(address: string): string | null {
  const bare = address.replace(/^\[|\]$/g, "").split("%")[0] ?? "";
  const halves = bare.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string | undefined) => (half ? half.split(":") : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  // An embedded IPv4 tail (::ffff:1.2.3.4) counts as two groups.
  const last = tail.at(-1) ?? head.at(-1) ?? "";
  const v4 = last.includes(".") ? 1 : 0;
  const missing = 8 - head.length - tail.length - v4;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  const first = all.slice(0, 4);
  if (first.length < 4 || !first.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null;
  return first.map((g) => g.replace(/^0+(?=.)/, "")).join(":");
}
