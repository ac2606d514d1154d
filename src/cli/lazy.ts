/**
 * Each command's module is imported only when that command runs, so start-up loads commander alone.
 * The handler keeps its own parameter types: commander's action (typed by @commander-js/extra-typings
 * from the declared arguments and options) only accepts it when its options interface agrees.
 */
export function lazy<Params extends unknown[]>(load: () => Promise<{ run: (...args: Params) => Promise<void> }>): (...args: Params) => Promise<void> {
  return async (...args: Params): Promise<void> => {
    const { run } = await load();
    await run(...args);
  };
}
