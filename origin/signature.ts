/**
 * The ingest webhook signature: `X-Crease-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`.
 *
 * The HMAC covers `"<t>.<raw body>"` so a signature cannot be moved to another body or
 * replayed outside the tolerance window. Several secrets may be active at once so a
 * provider can rotate without downtime. The scheme follows Stripe's; `docs/signing.md`
 * is the provider-facing description.
 *
 * Pure apart from WebCrypto: no clock (time is a parameter), no `node:*`, so it runs
 * unchanged in Node 20, workerd and browsers.
 */

/** The HTTP header that carries the signature. */
import { constantTimeEqual, fromHex, hmacSha256, toHex } from "../protocol/hmac.ts";

export const SIGNATURE_HEADER = "X-Crease-Signature";

/** Default replay window, applied in both directions (past and future), in seconds. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** Why a signature was refused. `no-secrets` is a server misconfiguration, not the sender's fault. */
export type SignatureFailureReason =
  | "missing"
  | "malformed"
  | "expired"
  | "future"
  | "mismatch"
  | "no-secrets";

/** The outcome of {@link verifySignature}; `secretIndex` says which configured secret matched. */
export type SignatureCheck =
  | { ok: true; secretIndex: number }
  | { ok: false; reason: SignatureFailureReason; message: string };

export interface VerifySignatureOptions {
  /** The raw header value, or null when the request had none. */
  header: string | null;
  /** The raw request body, exactly as received (bytes are preferred: no re-encoding). */
  body: Uint8Array | string;
  /** Active secrets, usually from {@link parseSecrets}. */
  secrets: string[];
  /** The verifier's current time in unix seconds (may be fractional). */
  nowSeconds: number;
  /** Allowed clock difference in either direction; defaults to {@link DEFAULT_TOLERANCE_SECONDS}. */
  toleranceSeconds?: number;
}

const HEADER_SHAPE = "expected t=<unix seconds>,v1=<64 hex characters>";
// Bounds the work an unauthenticated request can cause: each v1 entry costs one comparison
// per secret, and no honest sender needs more than a couple during a rotation.
const MAX_HEADER_LENGTH = 1024;
const MAX_V1_ENTRIES = 8;
const TIMESTAMP_PATTERN = /^\d{1,12}$/;
const HEX_PATTERN = /^[0-9a-fA-F]*$/;
const SIGNATURE_HEX_LENGTH = 64;

const encoder = new TextEncoder();

/**
 * Splits a comma-separated secret list (the `INGEST_SECRET` variable) into active secrets.
 * Blanks around entries are trimmed and empty entries ignored, so `"a, b,"` gives `["a", "b"]`.
 */
export function parseSecrets(list: string | undefined): string[] {
  if (list === undefined) return [];
  return list
    .split(",")
    .map((secret) => secret.trim())
    .filter((secret) => secret.length > 0);
}

/**
 * Signs `body` at `unixSeconds` and returns the full header value `t=<t>,v1=<hex>`.
 * Throws a RangeError for an empty secret or a timestamp the verifier would reject as
 * malformed: both are programming errors, never request data.
 */
export async function signPayload(
  secret: string,
  body: string | Uint8Array,
  unixSeconds: number,
): Promise<string> {
  if (secret.length === 0) throw new RangeError("signPayload: the secret is empty");
  if (!Number.isSafeInteger(unixSeconds) || !TIMESTAMP_PATTERN.test(String(unixSeconds))) {
    throw new RangeError("signPayload: unixSeconds must be a non-negative integer of at most 12 digits");
  }
  const t = String(unixSeconds);
  const mac = await hmacSha256(secret, signedBytes(t, body));
  return `t=${t},v1=${toHex(mac)}`;
}

/**
 * Checks a signature header against the raw body and every active secret.
 *
 * Order of checks: configuration (`no-secrets`), presence (`missing`), shape (`malformed`),
 * then the HMAC (`mismatch`), and only then the timestamp (`expired`, `future`). Checking the
 * HMAC before the clock means `expired` and `future` are only ever reported for genuine
 * signatures, so a log of them is a log of replays and skewed clocks, not of forgeries.
 *
 * Every secret's HMAC is computed and compared with every `v1` entry, without stopping at the
 * first match or the first differing byte, so response time does not reveal which secret
 * matched or how much of a guess was right.
 */
export async function verifySignature(opts: VerifySignatureOptions): Promise<SignatureCheck> {
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance < 0) {
    throw new RangeError("verifySignature: toleranceSeconds must be a finite number >= 0");
  }
  if (!Number.isFinite(opts.nowSeconds)) {
    throw new RangeError("verifySignature: nowSeconds must be a finite number");
  }

  if (opts.secrets.length === 0) {
    return fail(
      "no-secrets",
      "Ingest signing is not configured on this server, so no request can be accepted.",
    );
  }
  if (opts.header === null || opts.header.trim() === "") {
    return fail("missing", `Missing ${SIGNATURE_HEADER} header (${HEADER_SHAPE}).`);
  }

  const parsed = parseHeader(opts.header);
  if (!parsed.ok)
    return fail("malformed", `Malformed ${SIGNATURE_HEADER} header: ${parsed.problem}; ${HEADER_SHAPE}.`);

  const message = signedBytes(parsed.t, opts.body);
  const macs = await Promise.all(opts.secrets.map((secret) => hmacSha256(secret, message)));
  let secretIndex = -1;
  macs.forEach((mac, index) => {
    for (const candidate of parsed.signatures) {
      const equal = constantTimeEqual(mac, candidate);
      if (equal && secretIndex === -1) secretIndex = index;
    }
  });
  if (secretIndex === -1) {
    return fail(
      "mismatch",
      `${SIGNATURE_HEADER} does not match this body for any active ingest secret. ` +
        "Sign the exact bytes sent, as <t>.<body>, with the current secret.",
    );
  }

  const age = opts.nowSeconds - Number(parsed.t);
  if (age > tolerance) {
    return fail(
      "expired",
      `${SIGNATURE_HEADER} timestamp is ${Math.floor(age)} s old; requests are accepted for ${tolerance} s. ` +
        "Sign each request when sending it.",
    );
  }
  if (-age > tolerance) {
    return fail(
      "future",
      `${SIGNATURE_HEADER} timestamp is ${Math.floor(-age)} s in the future; at most ${tolerance} s of ` +
        "clock difference is accepted. Check the sender's clock.",
    );
  }
  return { ok: true, secretIndex };
}

type ParsedHeader = { ok: true; t: string; signatures: Uint8Array[] } | { ok: false; problem: string };

/**
 * Reads `t=...,v1=...[,v1=...]`. Unknown keys are ignored so a future `v2` scheme can be sent
 * alongside `v1`; anything that is not a `key=value` pair is refused. Problems never quote the
 * header back, so a response cannot reflect attacker-chosen text.
 */
function parseHeader(header: string): ParsedHeader {
  if (header.length > MAX_HEADER_LENGTH)
    return { ok: false, problem: `longer than ${MAX_HEADER_LENGTH} characters` };
  let t: string | undefined;
  const signatures: Uint8Array[] = [];
  for (const rawPart of header.split(",")) {
    const part = rawPart.trim();
    const eq = part.indexOf("=");
    if (eq <= 0) return { ok: false, problem: "every comma-separated part must be key=value" };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === "t") {
      if (t !== undefined) return { ok: false, problem: "more than one t= timestamp" };
      if (!TIMESTAMP_PATTERN.test(value)) {
        return { ok: false, problem: "t= must be unix seconds, an integer of at most 12 digits" };
      }
      t = value;
    } else if (key === "v1") {
      if (!HEX_PATTERN.test(value)) return { ok: false, problem: "v1= is not hexadecimal" };
      if (value.length !== SIGNATURE_HEX_LENGTH) {
        return {
          ok: false,
          problem: `v1= must be ${SIGNATURE_HEX_LENGTH} hex characters, got ${value.length}`,
        };
      }
      if (signatures.length === MAX_V1_ENTRIES)
        return { ok: false, problem: `more than ${MAX_V1_ENTRIES} v1= entries` };
      signatures.push(fromHex(value));
    }
  }
  if (t === undefined) return { ok: false, problem: "no t= timestamp" };
  if (signatures.length === 0) return { ok: false, problem: "no v1= signature" };
  return { ok: true, t, signatures };
}

/** The signed message: the ASCII timestamp, a dot, then the body's bytes untouched. */
function signedBytes(t: string, body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const prefix = encoder.encode(`${t}.`);
  const payload = typeof body === "string" ? encoder.encode(body) : body;
  const message = new Uint8Array(prefix.length + payload.length);
  message.set(prefix, 0);
  message.set(payload, prefix.length);
  return message;
}

function fail(reason: SignatureFailureReason, message: string): SignatureCheck {
  return { ok: false, reason, message };
}
