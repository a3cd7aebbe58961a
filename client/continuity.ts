/** The client judges continuity exactly as the server does: one implementation, in protocol/. */
export { judgePatch, type PatchVerdict, presenceShowsGap } from "../protocol/continuity.ts";
