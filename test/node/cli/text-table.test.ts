/** The plain-text table and list wrapping the readable scorecard is built from. */
import { describe, expect, it } from "vitest";
import { textTable, wrapList } from "../../../scripts/cli/text-table.ts";

describe("textTable", () => {
  it("pads each column to its widest cell, figures to the right, with no trailing spaces", () => {
    const out = textTable(
      [
        { header: "Name", align: "left" },
        { header: "R", align: "right" },
        { header: "Note", align: "left" },
      ],
      [
        ["Gayle", "79", "x"],
        ["KL Rahul", "4"],
        ["Extras", "16", ""],
      ],
    );
    expect(out).toEqual(["Name       R  Note", "Gayle     79  x", "KL Rahul   4", "Extras    16"]);
  });
});

describe("wrapList", () => {
  it("keeps a short list on one line", () => {
    expect(wrapList("FoW: ", ["1-4", "2-60"])).toEqual(["FoW: 1-4, 2-60"]);
  });

  it("breaks between items at the width, indenting under the first item", () => {
    expect(wrapList("L: ", ["aaaa", "bbbb", "cccc"], 12)).toEqual(["L: aaaa,", "   bbbb,", "   cccc"]);
  });

  it("puts an item longer than the width on a line of its own rather than splitting it", () => {
    expect(wrapList("L: ", ["a", "a-very-long-item", "b"], 10)).toEqual([
      "L: a,",
      "   a-very-long-item,",
      "   b",
    ]);
  });
});
