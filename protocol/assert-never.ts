/** The one `assertNever`, from the engine (which imports nothing), for the protocol's users. */
export { assertNever } from "../scoring/assert-never.ts";
