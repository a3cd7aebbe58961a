import type { CreaseConfig } from "../config/crease-config.ts";
import { isRegion, type Region, regionFor } from "../edge/region.ts";
import { HttpError } from "./http-error.ts";

/**
 * The region whose rooms hold a viewer (the match feed's and the ticker's): `request.cf`
 * decides, except where the override is on (local development, where cf is a placeholder).
 */
export function viewerRegion(
  config: CreaseConfig["viewers"],
  request: Request,
  override: string | undefined,
): Region {
  if (override !== undefined && config.allowRegionOverride) {
    if (!isRegion(override))
      throw new HttpError(400, "invalid_region", `unknown region "${override.slice(0, 20)}"`);
    return override;
  }
  return regionFor(request.cf as Parameters<typeof regionFor>[0]);
}
