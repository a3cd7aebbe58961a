import { describe, expect, it } from "vitest";
import { originAllowed } from "../../../edge/allowed-origins.ts";

const URL_ = "https://scores.example/v1/matches/m/ws";

describe("originAllowed", () => {
  it("lets non-browser clients (no Origin) and the deployment's own pages in, whatever the list", () => {
    expect(originAllowed(undefined, URL_, [])).toBe(true);
    expect(originAllowed("https://scores.example", URL_, [])).toBe(true);
  });
  it("is closed by default and opens only what is listed", () => {
    expect(originAllowed("https://evil.example", URL_, [])).toBe(false);
    expect(originAllowed("https://news.example", URL_, ["https://news.example"])).toBe(true);
    expect(originAllowed("https://news.example.evil", URL_, ["https://news.example"])).toBe(false);
    expect(originAllowed("https://anything.example", URL_, ["*"])).toBe(true);
  });
  it("matches a loopback host on any port with scheme://host:*, and nothing else", () => {
    const local = ["http://127.0.0.1:*", "http://localhost:*"];
    expect(originAllowed("http://127.0.0.1:8787", URL_, local)).toBe(true);
    expect(originAllowed("http://localhost:9000", URL_, local)).toBe(true);
    expect(originAllowed("http://127.0.0.1", URL_, local)).toBe(true);
    expect(originAllowed("http://127.0.0.1.evil.example:80", URL_, local)).toBe(false);
    expect(originAllowed("https://127.0.0.1:8787", URL_, local)).toBe(false);
    expect(originAllowed("http://localhost:80x", URL_, local)).toBe(false);
  });
  it("takes the deployment's own origin from the URL the request arrived at, Host included (docs/security.md)", () => {
    // A rebinding page's name reaches the Worker only where any Host does (wrangler dev); it
    // opens the public feed, which a client with no Origin reads anyway. Decided, not missed.
    const rebound = "http://attacker.example:8787/v1/matches/m/ws";
    expect(originAllowed("http://attacker.example:8787", rebound, [])).toBe(true);
    expect(originAllowed("http://attacker.example:8787", URL_, [])).toBe(false);
  });
});
