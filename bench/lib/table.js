// One row per figure: what was measured, against what, and whether it meets its target.
// pass is true/false for a target, null for a reference figure with no target of its own.

export function row({ group, figure, value, unit = "", baseline, baselineLabel = "", ratio, target = "", pass = null, note = "" }) {
  return { group, figure, value, unit, baseline, baselineLabel, ratio, target, pass, note };
}

const integerUnits = new Set(["req/s", "events/s", "rows", "events", "B/event"]);

export function formatValue(value, unit) {
  if (value === undefined || value === null || Number.isNaN(value)) return "n/a";
  if (typeof value === "string") return value;
  if (unit === "MiB") return `${(value / 2 ** 20).toFixed(1)} MiB`;
  if (integerUnits.has(unit) || Math.abs(value) >= 1000) return `${Math.round(value).toLocaleString("en-US")}${unit ? ` ${unit}` : ""}`;
  if (unit === "ms") return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
  if (unit === "s") return `${value.toFixed(1)} s`;
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)}${unit ? ` ${unit}` : ""}`;
}

/**
 * Two decimals, or three where two would print the target's own figure: 0.797 against ">= 0.80x"
 * reads "0.797x MISS", not "0.80x MISS".
 */
export function formatRatio(ratio, target) {
  if (ratio === undefined || Number.isNaN(ratio)) return "";
  const threshold = /([0-9.]+)x/.exec(target)?.[1];
  const short = ratio.toFixed(2);
  return threshold !== undefined && short === Number(threshold).toFixed(2) && ratio !== Number(threshold) ? `${ratio.toFixed(3)}x` : `${short}x`;
}

function cells(r) {
  const baseline = r.baseline === undefined ? "" : `${formatValue(r.baseline, r.unit)}${r.baselineLabel ? ` (${r.baselineLabel})` : ""}`;
  const ratio = formatRatio(r.ratio, r.target);
  const verdict = r.pass === null ? "" : r.pass ? "PASS" : "MISS";
  return [r.group, r.figure, formatValue(r.value, r.unit), baseline, ratio, r.target, verdict, r.note];
}

const HEADER = ["group", "figure", "value", "baseline", "ratio", "target", "result", "note"];

/** Plain aligned columns, for a terminal. */
export function textTable(rows) {
  const lines = [HEADER, ...rows.map(cells)];
  const widths = HEADER.map((_, i) => Math.max(...lines.map((line) => String(line[i]).length)));
  return lines
    .flatMap((line, index) => {
      const text = line.map((cell, i) => String(cell).padEnd(widths[i])).join("  ").trimEnd();
      return index === 0 ? [text, widths.map((w) => "-".repeat(w)).join("  ")] : [text];
    })
    .join("\n");
}

/** The same table in Markdown, for RESULTS.md. */
export function markdownTable(rows) {
  const escape = (cell) => String(cell).replaceAll("|", "\\|");
  return [
    `| ${HEADER.join(" | ")} |`,
    `| ${HEADER.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${cells(r).map(escape).join(" | ")} |`),
  ].join("\n");
}
