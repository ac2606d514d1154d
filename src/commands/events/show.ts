import { createOutput } from "../../output/index.js";
import { printRequestDetail } from "../../output/request-detail.js";
import { requestDetailJson } from "../../output/requests.js";
import { deliveriesOf } from "../../store/deliveries.js";
import { findRequest } from "../../store/missing-request.js";
import { requestStore } from "../../store/requests.js";
import { openStoreForReading } from "../../cli/read-store.js";

export interface EventsShowOptions {
  db?: string;
  json?: boolean;
}

export async function run(reference: string, options: EventsShowOptions): Promise<void> {
  const out = createOutput({ json: options.json });
  const { db } = openStoreForReading(options.db, { readOnly: true });
  try {
    const request = findRequest(requestStore(db), reference);
    const deliveries = deliveriesOf(db, request);
    if (options.json) {
      out.data(requestDetailJson(request, deliveries));
      return;
    }
    printRequestDetail(out, request, deliveries);
  } finally {
    db.close();
  }
}
