/** The Cricsheet adapter's pure surface (no `node:*`); `read-file.ts` adds the Node-only file helper. */
export { CricsheetError } from "./cricsheet-error.ts";
export { type CricsheetToEventsOptions, cricsheetToEvents, parseCricsheetMatch } from "./to-events.ts";
