import { defined } from "../invariant.js";

/**
 * A small seeded PRNG (mulberry32): the same seed gives the same account, so a test can name a
 * seed and get the same employer, pay dates and amounts on every run.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(probability: number): boolean;
  /** A version-4-shaped UUID drawn from this generator (not from the OS). */
  uuid(): string;
  digits(length: number): string;
}

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const hex = (length: number) => Array.from({ length }, () => int(0, 15).toString(16)).join("");
  return {
    next,
    int,
    pick: (items) => defined(items[int(0, items.length - 1)], "an item to pick (the list is empty)"),
    chance: (probability) => next() < probability,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${"89ab"[int(0, 3)]}${hex(3)}-${hex(12)}`,
    digits: (length) => Array.from({ length }, () => String(int(0, 9))).join(""),
  };
}

/** A seed for a run that named none. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}
