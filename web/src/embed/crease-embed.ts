/**
 * The embeddable widget: one classic script that defines `<crease-score match="ID">` and
 * `<crease-ticker>`. Built by scripts/build-web.ts into web/public/embed/ (a versioned, immutable
 * copy and a stable alias); how to embed it: README, "Embedding". Loading it twice, or into a page
 * that already defined the names, changes nothing and throws nothing.
 */
import { CreaseScore } from "./score-element.ts";
import { CreaseTicker } from "./ticker-element.ts";

for (const [name, element] of [
  ["crease-score", CreaseScore],
  ["crease-ticker", CreaseTicker],
] as const) {
  try {
    if (!customElements.get(name)) customElements.define(name, element);
  } catch (error) {
    console.warn(`Crease embed: could not define <${name}>: ${String(error)}`);
  }
}
