function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0] ?? 0;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j] ?? 0;
      previous[j] = Math.min(above + 1, (previous[j - 1] ?? 0) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidates a typo most likely meant: close spellings, and names that end or start with
 * what was typed (so `fully_synced` offers both `paystubs.fully_synced` and `shifts.fully_synced`).
 */
export function suggest(input: string, candidates: readonly string[], limit = 3): string[] {
  const typed = input.trim().toLowerCase();
  if (!typed) return [];
  const scored = candidates
    .map((candidate) => {
      const name = candidate.toLowerCase();
      const partial = name.endsWith(typed) || name.startsWith(typed) || (typed.length >= 4 && name.includes(typed));
      const distance = editDistance(typed, name);
      return { candidate, score: partial ? 0 : distance };
    })
    .filter(({ candidate, score }) => score <= Math.max(2, Math.floor(candidate.length / 4)))
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, limit).map(({ candidate }) => candidate);
}

/** `did you mean "x"?` / `did you mean "x" or "y"?`, or an empty string. */
export function didYouMean(input: string, candidates: readonly string[]): string {
  return didYouMeanOneOf(suggest(input, candidates));
}

/** The same question about suggestions already found (an error that carries them as data). */
export function didYouMeanOneOf(suggestions: readonly string[]): string {
  const quoted = suggestions.map((o) => `"${o}"`);
  const last = quoted.pop();
  if (last === undefined) return "";
  return `did you mean ${quoted.length ? `${quoted.join(", ")} or ${last}` : last}?`;
}

/** The end of a "not one of these" line: `did you mean "x"?` when one is close, else `use a, b, c`. */
export function didYouMeanOrUse(input: string, candidates: readonly string[]): string {
  return didYouMean(input, candidates) || `use ${candidates.join(", ")}`;
}
