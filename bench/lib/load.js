// Load for the receivers: autocannon (programmatic) POSTing correctly signed Pinwheel events.
// Every request is a distinct event (fresh event_id and job id, rendered from the project's own
// fixture and template) signed at send time, so its x-timestamp is always within the tolerance.
import { randomUUID } from "node:crypto";
import autocannon from "autocannon";
import { buildEvent } from "../../dist/events/build.js";
import { envelopeTemplate } from "../../dist/events/template.js";
import { signWebhook } from "../../dist/signing.js";

export function signedEventRequests(secret, eventName = "paystubs.added") {
  const render = envelopeTemplate(buildEvent(eventName));
  const webhookId = randomUUID();
  return [
    {
      method: "POST",
      path: "/",
      setupRequest(request) {
        const body = render(randomUUID(), randomUUID());
        const timestamp = String(Math.floor(Date.now() / 1000));
        request.headers = {
          "content-type": "application/json",
          "x-pinwheel-signature": signWebhook(secret, timestamp, body),
          "x-timestamp": timestamp,
          "x-pinwheel-webhook-id": webhookId,
        };
        request.body = body;
        return request;
      },
    },
  ];
}

/**
 * One autocannon run: for `seconds`, or until `amount` requests are answered.
 * Returns requests/s (answered over the run's duration), p99 latency and every kind of failure.
 */
export function drive(url, { connections, seconds, amount, requests }) {
  return new Promise((resolve, reject) => {
    autocannon(
      { url, connections, requests, timeout: 10, ...(amount === undefined ? { duration: seconds } : { amount }) },
      (error, result) => {
        if (error) return reject(error);
        const answered = result["1xx"] + result["2xx"] + result["3xx"] + result["4xx"] + result["5xx"];
        resolve({
          connections,
          seconds: result.duration,
          answered,
          ok: result["2xx"],
          perSecond: answered / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          non2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
        });
      },
    );
  });
}
