/**
 * The one cast of every Durable Object stub. The generated stub types map every return value
 * through `Rpc.Serializable`, which cannot follow a recursive JSON type (a match state, a patch,
 * a headline) and gives up; the values are structured-cloned either way, so the interface each
 * object implements (this folder, one file per object) is the contract, and the cast lives here.
 */
import { isRegion } from "../edge/region.ts";

/** What this file needs of a namespace binding, whatever class it holds. */
interface Namespace {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId, options?: DurableObjectNamespaceGetDurableObjectOptions): Fetcher;
}

/**
 * The object `name` of `namespace`, typed by the interface it implements, created (the first time)
 * near `home`: a region's name for the edge's rooms, the central region for the writers.
 */
export function typedStub<T>(namespace: Namespace, name: string, home?: string): T {
  const hint = home !== undefined && isRegion(home) ? { locationHint: home } : undefined;
  return namespace.get(namespace.idFromName(name), hint) as unknown as T;
}

/** The object's HTTP side (a viewer's upgrade, for the Worker's handoff), with the same location hint. */
export function fetcherOf(namespace: Namespace, name: string, home?: string): Fetcher {
  const hint = home !== undefined && isRegion(home) ? { locationHint: home } : undefined;
  return namespace.get(namespace.idFromName(name), hint);
}
