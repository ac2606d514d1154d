/**
 * 1234567 -> "1,234,567", as toLocaleString("en-US") writes it, without ICU: the first
 * toLocaleString of a process loads locale data, 25 ms of a one-shot command's CPU.
 */
export function withThousands(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const [whole = "", fraction] = String(Math.abs(value)).split(".");
  if (whole.includes("e")) return String(value);
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ",");
  return `${value < 0 ? "-" : ""}${grouped}${fraction === undefined ? "" : `.${fraction}`}`;
}
