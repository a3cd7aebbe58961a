/** Column-aligned plain text, the way a terminal scorecard lines up its figures. */

export interface Column {
  header: string;
  /** Figures align right so units sit under units; names and dismissals align left. */
  align: "left" | "right";
}

/** A row is one cell per column; missing trailing cells print as blanks. */
export type Row = readonly string[];

const GAP = "  ";

/** The header line then one line per row, every column as wide as its widest cell, no trailing spaces. */
export function textTable(columns: readonly Column[], rows: readonly Row[]): string[] {
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: Row) =>
    columns
      .map((c, i) => {
        const cell = cells[i] ?? "";
        const width = widths[i] ?? 0;
        return c.align === "right" ? cell.padStart(width) : cell.padEnd(width);
      })
      .join(GAP)
      .trimEnd();
  return [line(columns.map((c) => c.header)), ...rows.map(line)];
}

/**
 * Joins items with ", " into lines no wider than `width`, later lines indented to line up
 * under the first item: fall-of-wicket and did-not-bat lists run to hundreds of characters in a Test.
 */
export function wrapList(label: string, items: readonly string[], width = 80): string[] {
  const indent = " ".repeat(label.length);
  const lines: string[] = [];
  let current = label;
  let fresh = true;
  for (const [i, item] of items.entries()) {
    const piece = i < items.length - 1 ? `${item},` : item;
    if (!fresh && current.length + 1 + piece.length > width) {
      lines.push(current);
      current = indent;
      fresh = true;
    }
    current += fresh ? piece : ` ${piece}`;
    fresh = false;
  }
  lines.push(current);
  return lines;
}
