import { DEFAULT_DEV_SECRET, readConfigFile, resolvePaths, resolveSecret, USED_SECRET_LABELS, type ResolvedSecret } from "../config.js";
import { diagnoseWebhook, type WebhookDiagnosis } from "./diagnose.js";
import type { LabelledSecret } from "./secret-variants.js";
import type { Subject } from "./subject.js";

/** The other secrets the developer has, so that "signed with another one" can be recognised. */
function otherSecrets(): LabelledSecret[] {
  const paths = resolvePaths();
  const others: LabelledSecret[] = [];
  // An empty PINWHEEL_API_SECRET is refused where it would be used; here it is just not a candidate.
  const environment = (() => {
    try {
      return resolveSecret(undefined);
    } catch {
      return undefined;
    }
  })();
  if (environment?.source === "env") others.push({ label: "the secret in PINWHEEL_API_SECRET", secret: environment.secret });
  const configured = readConfigFile(paths)["api-secret"];
  if (configured) others.push({ label: `the api-secret in the config file (${paths.configFile})`, secret: configured });
  others.push({ label: "pinwheel-cli's built-in development secret, used when it is given none", secret: DEFAULT_DEV_SECRET });
  return others;
}

/** The verdict and every diagnosis for a subject, with the secret in use and the developer's others as candidates. */
export function diagnoseSubject(subject: Subject, used: ResolvedSecret, toleranceSeconds: number): WebhookDiagnosis {
  return diagnoseWebhook({
    rawBody: subject.body,
    signature: subject.signature,
    timestamp: subject.timestamp,
    secret: used.secret,
    secretLabel: USED_SECRET_LABELS[used.source],
    otherSecrets: otherSecrets(),
    now: subject.now,
    clockLabel: subject.clockLabel,
    toleranceSeconds,
  });
}
