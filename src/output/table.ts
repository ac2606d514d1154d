import { stripVTControlCharacters } from "node:util";

export function visibleLength(text: string): number {
  return stripVTControlCharacters(text).length;
}

function pad(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - visibleLength(text)));
}

/** A stored UTC time (ISO 8601, as this tool writes it) in a table: "2026-11-30 12:00:00Z", to the second. */
export function tableTime(iso: string): string {
  return `${iso.replace("T", " ").slice(0, 19)}Z`;
}

/** Plain aligned columns, two spaces apart; the last column is not padded so lines carry no trailing blanks. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, column) =>
    Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[column] ?? ""))),
  );
  const render = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : pad(cell, widths[column] ?? 0)))
      .join("  ")
      .trimEnd();
  return [render(headers), ...rows.map(render)].join("\n");
}
