/** Endpoint ids and signing secrets: random, from WebCrypto. */

const SECRET_BYTES = 32;

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** `whsec_` and 32 random bytes in base64url (43 characters): shown once, used as the HMAC key as is. */
export function newSigningSecret(): string {
  return `whsec_${base64url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)))}`;
}

/** `wh_` and 12 random bytes in hex. */
export function newEndpointId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `wh_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
