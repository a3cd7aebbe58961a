/** The chaos scenarios wait with the tests' helpers (test/support/time.ts). */
export { sleep, until } from "../../test/support/time.ts";
