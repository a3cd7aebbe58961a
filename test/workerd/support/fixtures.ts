/// <reference types="vite/client" />

import { cricsheetToEvents } from "../../../cricsheet/index.ts";
import type { ProviderEvent } from "../../../scoring/index.ts";

export { seededRandom as rng } from "../../support/seeded-random.ts";

/** The real matches, bundled into the test worker by Vite (workerd has no file system to read them from). */
const files = import.meta.glob<{ default: unknown }>("../../../fixtures/cricsheet/*.json", { eager: true });

export const FIXTURE_IDS: string[] = Object.keys(files)
  .map((path) => path.replace(/^.*\/(\d+)\.json$/, "$1"))
  .sort();

export function fixtureEvents(id: string, matchId = `cricsheet-${id}`): ProviderEvent[] {
  const file = files[`../../../fixtures/cricsheet/${id}.json`];
  if (!file) throw new Error(`no fixture ${id}`);
  return cricsheetToEvents(file.default, { matchId });
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
