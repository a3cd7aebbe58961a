/**
 * `/embed`: the snippets to copy (for a chosen match, and for the ticker) with a live preview of
 * each element, drawn by the same widget script the snippet loads. The versioned script URL comes
 * from embed/manifest.json, which the build writes beside it.
 */
import { byId, h } from "./dom.ts";
import { parseMatches } from "./list/summary.ts";

interface Manifest {
  script: string;
}

async function json(path: string): Promise<unknown> {
  const res = await fetch(path, { cache: "no-store" });
  if (!res.ok) throw new Error(`${path} answered ${res.status}`);
  return res.json();
}

function select(id: string): HTMLSelectElement {
  const el = byId(id);
  if (!(el instanceof HTMLSelectElement)) throw new Error(`#${id} is not a select`);
  return el;
}

async function main(): Promise<void> {
  const manifest = (await json("/embed/manifest.json")) as Partial<Manifest>;
  const script = `${location.origin}${typeof manifest.script === "string" ? manifest.script : "/embed/crease-embed.js"}`;
  const matches = parseMatches(await json("/v1/matches"));
  const matchSelect = select("match");
  const layout = select("layout");
  const theme = select("theme");
  const asked = new URLSearchParams(location.search).get("match");
  for (const m of matches)
    matchSelect.append(
      h("option", { value: m.matchId, selected: m.matchId === asked }, m.title ?? m.matchId),
    );
  if (matches.length === 0)
    matchSelect.append(h("option", { value: "" }, "no matches yet (npm start replays one)"));

  const tag = `<script src="${script}" async></script>`;
  const showScore = () => {
    const attrs = [`match="${matchSelect.value}"`, `layout="${layout.value}"`];
    if (theme.value !== "auto") attrs.push(`theme="${theme.value}"`);
    byId("score-snippet").textContent = `${tag}\n<crease-score ${attrs.join(" ")}></crease-score>`;
    const el = document.createElement("crease-score");
    el.setAttribute("match", matchSelect.value);
    el.setAttribute("layout", layout.value);
    el.setAttribute("theme", theme.value);
    byId("score-preview").replaceChildren(el);
  };
  for (const control of [matchSelect, layout, theme]) control.addEventListener("change", showScore);
  showScore();
  byId("ticker-snippet").textContent = `${tag}\n<crease-ticker></crease-ticker>`;
  byId("ticker-preview").replaceChildren(document.createElement("crease-ticker"));

  for (const button of document.querySelectorAll<HTMLButtonElement>("button[data-copy]")) {
    button.addEventListener("click", () => {
      const text = byId(button.dataset.copy ?? "").textContent ?? "";
      navigator.clipboard.writeText(text).then(
        () => (button.textContent = "Copied"),
        () => (button.textContent = "Select the snippet and copy it"),
      );
    });
  }
}

main().catch((err: unknown) => {
  const note = byId("embed-error");
  note.hidden = false;
  note.textContent = `Could not set up the snippets: ${err instanceof Error ? err.message : String(err)}`;
});
