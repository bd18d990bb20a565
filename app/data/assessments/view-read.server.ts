import type { Types } from "mongoose";
import { Assessment, type AssessmentDoc } from "../../../models/assessment";
import { oncePerRequest } from "~/request-scope.server";

/**
 * The whole assessment document, read once per GET request for the views that show it (decision 035).
 *
 * One page asks several view functions about the same application (the layout, the page, the
 * rectification panel, the renewal panel, the licence warnings), and each used to read it. On
 * FerretDB a projection does not save the decoding: every read of a large assessment decodes the
 * whole JSONB document (≈ 30 ms at city scale), so a page paid it up to three times.
 *
 * Read-only by contract: callers share one object. Outside production it is frozen, so a caller
 * that mutates it fails its tests instead of corrupting another view's data. Writes (saves, CAS
 * retry loops) must read with `getAssessment`, never through this memo: within a POST the memo is
 * off anyway, but a retry must always see the stored document.
 */
export function readAssessmentView(tenantId: Types.ObjectId, _id: Types.ObjectId): Promise<AssessmentDoc | null> {
  return oncePerRequest(`assessment-view:${String(tenantId)}:${String(_id)}`, async () => {
    const doc = await Assessment.findOne({ tenantId, _id }).lean<AssessmentDoc>();
    return doc && process.env.NODE_ENV !== "production" ? deepFreeze(doc) : doc;
  });
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  // BSON values (ObjectId, Decimal128…), dates and binary data keep their own internals.
  if ("_bsontype" in value || value instanceof Date || ArrayBuffer.isView(value)) return value;
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}
