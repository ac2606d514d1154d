type Action = (...args: never[]) => Promise<void>;

/** Each command's module is imported only when that command runs, so start-up loads commander alone. */
export function lazy<M extends { run: Action }>(load: () => Promise<M>) {
  return async (...args: unknown[]): Promise<void> => {
    const { run } = await load();
    await (run as (...a: unknown[]) => Promise<void>)(...args);
  };
}
