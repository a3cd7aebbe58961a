/**
 * Whether a receiver's host is on the public internet, judged on the hostname *as the WHATWG
 * URL parser left it*: that parser already turns every IPv4 spelling (`127.1`, `0x7f000001`,
 * `2130706433`, `0177.0.0.1`) into dotted decimal, compresses IPv6, and lowercases names, and
 * it is the parser `fetch` uses, so what is judged here is what would be dialled. Pure.
 *
 * It judges the name, not what the name resolves to: a public name whose DNS answers with an
 * internal address is not caught here (Workers' fetch offers no hook between resolving and
 * connecting). docs/security.md says so.
 */

export type HostVerdict =
  | { kind: "public" }
  /** Loopback: refused, except that a local-dev deployment may allow it (WEBHOOK_ALLOW_LOOPBACK_HTTP). */
  | { kind: "loopback"; why: string }
  /** Never a partner: private, link-local, metadata, reserved, single-label. */
  | { kind: "internal"; why: string };

interface Range4 {
  base: number;
  bits: number;
  what: string;
  loopback?: true;
}

const v4 = (dotted: string): number => dotted.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);

/** Every IPv4 block that is not the public internet (RFC 6890's special-purpose registry, abridged). */
const IPV4_RANGES: readonly Range4[] = [
  { base: v4("0.0.0.0"), bits: 8, what: "a 'this network' address (0.0.0.0/8)" },
  { base: v4("10.0.0.0"), bits: 8, what: "a private address (10.0.0.0/8)" },
  { base: v4("100.64.0.0"), bits: 10, what: "a carrier-grade NAT address (100.64.0.0/10)" },
  { base: v4("127.0.0.0"), bits: 8, what: "a loopback address (127.0.0.0/8)", loopback: true },
  {
    base: v4("169.254.0.0"),
    bits: 16,
    what: "a link-local address (169.254.0.0/16, where cloud metadata services answer)",
  },
  { base: v4("172.16.0.0"), bits: 12, what: "a private address (172.16.0.0/12)" },
  { base: v4("192.0.0.0"), bits: 24, what: "an IETF protocol address (192.0.0.0/24)" },
  { base: v4("192.168.0.0"), bits: 16, what: "a private address (192.168.0.0/16)" },
  { base: v4("198.18.0.0"), bits: 15, what: "a benchmarking address (198.18.0.0/15)" },
  { base: v4("224.0.0.0"), bits: 4, what: "a multicast address (224.0.0.0/4)" },
  { base: v4("240.0.0.0"), bits: 4, what: "a reserved address (240.0.0.0/4)" },
];

interface Range6 {
  /** The prefix's leading 16-bit groups (the rest are zero). */
  groups: readonly number[];
  bits: number;
  what: string;
  loopback?: true;
}

/** IPv6 blocks that are not the public internet, most specific first (the first that matches names it). */
const IPV6_RANGES: readonly Range6[] = [
  { groups: [0, 0, 0, 0, 0, 0, 0, 1], bits: 128, what: "the loopback address (::1)", loopback: true },
  { groups: [0, 0, 0, 0, 0, 0, 0, 0], bits: 128, what: "the unspecified address (::)" },
  // WHATWG serialises [::ffff:127.0.0.1] as [::ffff:7f00:1]; any mapped address is refused, whatever it maps.
  { groups: [0, 0, 0, 0, 0, 0xffff], bits: 96, what: "an IPv4-mapped IPv6 address (::ffff:0:0/96)" },
  { groups: [0, 0, 0, 0, 0, 0], bits: 96, what: "an IPv4-compatible IPv6 address (::/96)" },
  { groups: [0x64, 0xff9b], bits: 96, what: "a NAT64 address (64:ff9b::/96), which embeds an IPv4 one" },
  { groups: [0x64, 0xff9b, 1], bits: 48, what: "a NAT64 address (64:ff9b:1::/48)" },
  { groups: [0x100], bits: 64, what: "a discard-only address (100::/64)" },
  { groups: [0x2001], bits: 32, what: "a Teredo address (2001::/32), which embeds an IPv4 one" },
  { groups: [0x2002], bits: 16, what: "a 6to4 address (2002::/16), which embeds an IPv4 one" },
  { groups: [0xfc00], bits: 7, what: "a unique-local address (fc00::/7)" },
  { groups: [0xfe80], bits: 10, what: "a link-local address (fe80::/10)" },
  { groups: [0xfec0], bits: 10, what: "a site-local address (fec0::/10)" },
  { groups: [0xff00], bits: 8, what: "a multicast address (ff00::/8)" },
];

/** Cloud metadata services' names (their addresses are in the link-local and CGNAT blocks above). */
const METADATA_NAMES = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.tencentyun.com",
]);

/** Suffixes reserved for names that resolve only inside a network. */
const INTERNAL_SUFFIXES: readonly [string, string][] = [
  [".internal", "an internal name (.internal is reserved for private networks)"],
  [".local", "a multicast DNS name (.local resolves only on the local link)"],
  [".localdomain", "a local name (.localdomain)"],
  [".home.arpa", "a home-network name (.home.arpa)"],
  [".corp", "a private-network name (.corp)"],
  [".lan", "a private-network name (.lan)"],
];

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): number | null {
  const m = IPV4.exec(text);
  if (!m) return null;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) return null;
  return octets.reduce((n, o) => n * 256 + o, 0);
}

/** An IPv6 address (no brackets) as eight 16-bit groups, or null. Accepts `::` and a dotted tail. */
export function parseIpv6(text: string): number[] | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (part: string): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const pieces = part.split(":");
    for (const [i, piece] of pieces.entries()) {
      if (i === pieces.length - 1 && piece.includes(".")) {
        const v = parseIpv4(piece);
        if (v === null) return null;
        out.push(Math.floor(v / 65536), v % 65536);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) out.push(Number.parseInt(piece, 16));
      else return null;
    }
    return out;
  };
  const head = groupsOf(halves[0] ?? "");
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? "") : [];
  if (head === null || tail === null) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...Array<number>(missing).fill(0), ...tail] : null;
}

function inRange6(groups: readonly number[], range: Range6): boolean {
  let bits = range.bits;
  for (let i = 0; i < 8 && bits > 0; i++) {
    const take = Math.min(16, bits);
    const mask = (0xffff << (16 - take)) & 0xffff;
    if (((groups[i] ?? 0) & mask) !== ((range.groups[i] ?? 0) & mask)) return false;
    bits -= take;
  }
  return true;
}

/** Keeps an echoed host short enough for a 400 or a dead letter's reason. */
function shown(host: string): string {
  return host.length > 64 ? `${host.slice(0, 61)}...` : host;
}

/** The verdict on a parsed URL's `hostname` (IPv6 in brackets, as URL gives it). */
export function judgeHost(hostname: string): HostVerdict {
  if (hostname.startsWith("[") && hostname.endsWith("]")) {
    const groups = parseIpv6(hostname.slice(1, -1));
    if (groups === null) return { kind: "internal", why: `${shown(hostname)} is not an IPv6 address` };
    const range = IPV6_RANGES.find((r) => inRange6(groups, r));
    if (!range) return { kind: "public" };
    return { kind: range.loopback ? "loopback" : "internal", why: `${shown(hostname)} is ${range.what}` };
  }
  const ip = parseIpv4(hostname);
  if (ip !== null) {
    const range = IPV4_RANGES.find(
      (r) => Math.floor(ip / 2 ** (32 - r.bits)) === r.base / 2 ** (32 - r.bits),
    );
    if (!range) return { kind: "public" };
    return { kind: range.loopback ? "loopback" : "internal", why: `${hostname} is ${range.what}` };
  }
  // A fully qualified name may end in a dot ("localhost."); it is the same name.
  const name = (hostname.endsWith(".") ? hostname.slice(0, -1) : hostname).toLowerCase();
  if (name === "localhost" || name.endsWith(".localhost")) {
    return { kind: "loopback", why: `${shown(hostname)} is a loopback name (localhost)` };
  }
  if (METADATA_NAMES.has(name)) {
    return { kind: "internal", why: `${shown(hostname)} is a cloud metadata service's name` };
  }
  for (const [suffix, what] of INTERNAL_SUFFIXES) {
    if (name.endsWith(suffix)) return { kind: "internal", why: `${shown(hostname)} is ${what}` };
  }
  if (name === "" || !name.includes(".")) {
    return {
      kind: "internal",
      why: `${shown(hostname)} is a single-label name (no dot), which resolves only inside a network`,
    };
  }
  return { kind: "public" };
}
