import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { closeReason, MAX_CLOSE_REASON_BYTES } from "../../../edge/close-reason.ts";

const bytes = (text: string) => new TextEncoder().encode(text).length;

describe("closeReason", () => {
  it("keeps a reason that fits, to the byte", () => {
    expect(closeReason("rate limited")).toBe("rate limited");
    const exact = "x".repeat(MAX_CLOSE_REASON_BYTES);
    expect(closeReason(exact)).toBe(exact);
    expect(closeReason("")).toBe("");
  });

  it("cuts the unknown-match reason for a 128-character id to 123 bytes, ending in an ellipsis", () => {
    const reason = `no events have been received for match "${"m".repeat(128)}"`;
    const cut = closeReason(reason);
    expect(bytes(cut)).toBe(MAX_CLOSE_REASON_BYTES);
    expect(cut.startsWith('no events have been received for match "mmm')).toBe(true);
    expect(cut.endsWith("…")).toBe(true);
  });

  it("never splits a character: two-, three- and four-byte text", () => {
    for (const char of ["é", "€", "🏏"]) {
      const cut = closeReason(char.repeat(100));
      expect(bytes(cut), char).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
      // Whole characters only, then the ellipsis: nothing decodes to U+FFFD.
      expect(cut, char).toBe(`${char.repeat([...cut].length - 1)}…`);
      expect(
        new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(new TextEncoder().encode(cut)),
      ).toBe(cut);
    }
    // A four-byte character straddling the limit is dropped whole, not halved.
    const straddling = `${"a".repeat(119)}🏏🏏`;
    expect(closeReason(straddling)).toBe(`${"a".repeat(119)}…`);
  });

  it("fits any string in 123 bytes, and leaves every one that fits alone", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 200 }), (text) => {
        const cut = closeReason(text);
        expect(bytes(cut)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
        if (bytes(text) <= MAX_CLOSE_REASON_BYTES) expect(cut).toBe(text);
        else expect(text.startsWith(cut.slice(0, -1))).toBe(true);
      }),
    );
  });

  it("counts a lone surrogate as the three bytes it is sent as", () => {
    const lone = "\ud83c".repeat(60);
    expect(bytes(closeReason(lone))).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
  });
});
