/**
 * The room's snapshot of its head version, serialised once and gzipped once however many
 * viewers join at that version: a herd of thousands costs one `JSON.stringify` and one
 * compression, not one per socket. Any change of state clears it.
 */
export class SnapshotCache {
  #entry: { key: string; text: string; gzip: Promise<Uint8Array> | null } | null = null;

  /** The snapshot frame's text for `key` (epoch and seq), built on first use. */
  text(key: string, build: () => string): string {
    return this.#for(key, build).text;
  }

  /** The same frame gzipped, compressed on first use and shared by every viewer who asks meanwhile. */
  gzip(key: string, build: () => string): Promise<Uint8Array> {
    const entry = this.#for(key, build);
    entry.gzip ??= gzipText(entry.text);
    return entry.gzip;
  }

  #for(key: string, build: () => string): { key: string; text: string; gzip: Promise<Uint8Array> | null } {
    if (this.#entry?.key !== key) this.#entry = { key, text: build(), gzip: null };
    return this.#entry;
  }

  clear(): void {
    this.#entry = null;
  }
}

/** gzip with the platform's CompressionStream (Workers, browsers and Node all have it). */
export async function gzipText(text: string): Promise<Uint8Array> {
  const compressed = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(compressed).arrayBuffer());
}
