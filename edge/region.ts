/**
 * Which edge region a viewer belongs to: Cloudflare's Durable Object location hints.
 * Rooms are created with the hint of their region, so a viewer's socket terminates near them.
 */
export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type Region = (typeof REGIONS)[number];

export function isRegion(value: unknown): value is Region {
  return typeof value === "string" && (REGIONS as readonly string[]).includes(value);
}

/** Countries Cloudflare files under Asia that the `me` (Middle East) hint serves better. */
const MIDDLE_EAST = new Set([
  "AE",
  "BH",
  "IL",
  "IQ",
  "IR",
  "JO",
  "KW",
  "LB",
  "OM",
  "PS",
  "QA",
  "SA",
  "SY",
  "YE",
]);

/** The parts of `request.cf` the mapping reads (all optional: local dev fills in placeholders). */
export interface CfLocation {
  continent?: unknown;
  country?: unknown;
  longitude?: unknown;
}

/**
 * Maps a request's location to a region. North America and Europe are split by longitude
 * (west/east), Asia by country (Middle East vs the rest); unknown locations fall back to
 * `fallback` so a request is never refused for lacking geography.
 */
export function regionFor(cf: CfLocation | undefined, fallback: Region = "enam"): Region {
  const continent = typeof cf?.continent === "string" ? cf.continent : "";
  const country = typeof cf?.country === "string" ? cf.country : "";
  const longitude = Number(cf?.longitude);
  switch (continent) {
    case "NA":
      return Number.isFinite(longitude) && longitude < -100 ? "wnam" : "enam";
    case "SA":
      return "sam";
    case "EU":
      return Number.isFinite(longitude) && longitude > 20 ? "eeur" : "weur";
    case "AS":
      return MIDDLE_EAST.has(country) ? "me" : "apac";
    case "OC":
    case "AN":
      return "oc";
    case "AF":
      return "afr";
    default:
      return fallback;
  }
}
