import { afterEach } from "vitest";
import { startListen, tempHome, type Listener, type TempHome } from "./cli.js";
import { startRecordingServer, type RecordingServer, type ResponseScript } from "./servers.js";

export interface ListenRuns {
  /** A fresh PINWHEEL_HOME (tempHome()), removed after the test. */
  tempHome(): TempHome;
  /** A recording server standing in for the user's app, closed after the test. */
  startApp(script?: ResponseScript): Promise<RecordingServer>;
  /** startListen(), stopped after the test. */
  startListen(args: string[], env: NodeJS.ProcessEnv, readyTimeoutMs?: number): Promise<Listener>;
}

/**
 * For a test file whose tests each run listen against an app: what a test starts is undone after
 * it, failing or not, in the order that lets nothing hang: listen first (it may be waiting on the
 * app), then the apps, then the homes. `stopSignal` is how listen is stopped (SIGKILL when the
 * tests themselves check the clean stop).
 */
export function useListenRuns(stopSignal: NodeJS.Signals = "SIGTERM"): ListenRuns {
  const listeners: Listener[] = [];
  const apps: RecordingServer[] = [];
  const homes: TempHome[] = [];
  afterEach(async () => {
    await Promise.all(listeners.splice(0).map((listener) => listener.stop(stopSignal)));
    await Promise.all(apps.splice(0).map((app) => app.close()));
    for (const home of homes.splice(0)) home.cleanup();
  });
  return {
    tempHome() {
      const home = tempHome();
      homes.push(home);
      return home;
    },
    async startApp(script) {
      const app = await startRecordingServer(script);
      apps.push(app);
      return app;
    },
    async startListen(args, env, readyTimeoutMs) {
      const listener = await startListen(args, env, readyTimeoutMs);
      listeners.push(listener);
      return listener;
    },
  };
}
