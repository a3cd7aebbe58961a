/// <reference types="vite/client" />
import { cricsheetToEvents } from "../../../origin/cricsheet/index.ts";
import type { ProviderEvent } from "../../../origin/scoring/index.ts";

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

/** A small deterministic PRNG (mulberry32), so shuffles are repeatable from a printed seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
