import mongoose, { type Schema, type Types } from "mongoose";
import { logger } from "../app/logger.server";
import { bulkWriteInChunks } from "./bulk-write";
import { ApplicationRow, type ApplicationRowDoc } from "./application-row";

/**
 * Keeps `application_rows` in step with the assessments (decision 027), the way memberships keep
 * `member_access` (decision 010): by the model, not by each caller. Every write through the
 * Assessment model (save/create, insertMany, and the update/replace/delete queries, which is how
 * `casUpdate` writes) rewrites the rows of the assessments it touched. Not covered: writes through
 * the raw driver (`Assessment.collection.*`, `db.collection("assessments")`).
 */

/** The assessment fields a row is built from (slim: no answers, history, review). */
export const ROW_SOURCE_FIELDS = {
  tenantId: 1,
  enterpriseId: 1,
  districtCode: 1,
  cycle: 1,
  state: 1,
  appliedLevel: 1,
  "scoreSummary.score": 1,
  "workflow.value": 1,
  submittedAt: 1,
  updatedAt: 1,
  deadlines: 1,
  reviewerIds: 1,
  reviewBodyId: 1,
  rubricVersionId: 1,
  objections: 1,
  version: 1,
} as const;

/** What a row is built from: the slim projection of an assessment (or a whole one). */
export type RowSource = {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  enterpriseId: Types.ObjectId;
  districtCode?: string | null;
  cycle: string;
  state?: string | null;
  appliedLevel?: string | null;
  scoreSummary?: { score?: number | null } | null;
  workflow?: { value?: unknown } | null;
  submittedAt?: Date | null;
  updatedAt?: Date | null;
  deadlines?: Record<string, Date | string | null> | null;
  reviewerIds?: Types.ObjectId[] | null;
  reviewBodyId?: Types.ObjectId | null;
  rubricVersionId: Types.ObjectId;
  objections?: unknown[] | null;
  version?: number | null;
};

/** Pure: the list row of an assessment. */
export function rowFromAssessment(a: RowSource, now = new Date()): ApplicationRowDoc {
  const updatedAt = a.updatedAt ?? now;
  return {
    _id: a._id,
    tenantId: a.tenantId,
    enterpriseId: a.enterpriseId,
    districtCode: a.districtCode ?? "",
    cycle: a.cycle,
    state: a.state ?? "draft",
    appliedLevel: a.appliedLevel ?? null,
    scoreSummary: a.scoreSummary ? { score: a.scoreSummary.score ?? null } : null,
    workflow: a.workflow ? { value: a.workflow.value ?? null } : null,
    submittedAt: a.submittedAt ?? null,
    updatedAt,
    deadlines: a.deadlines ?? null,
    reviewerIds: a.reviewerIds ?? [],
    reviewBodyId: a.reviewBodyId ?? null,
    rubricVersionId: a.rubricVersionId,
    objectionCount: (a.objections ?? []).length,
    sourceVersion: a.version ?? 0,
    sourceUpdatedAt: updatedAt,
  };
}

type Key = { tenantId: Types.ObjectId; _id: Types.ObjectId };
type SourceModel = mongoose.Model<RowSource>;

function sameSource(a: RowSource | null, b: RowSource | null): boolean {
  if (!a || !b) return a === b;
  return (a.version ?? 0) === (b.version ?? 0) && a.updatedAt?.getTime() === b.updatedAt?.getTime();
}

/** Rounds of a rebuild; only an assessment written without pause all along needs more than two. */
const REBUILD_ROUNDS = 25;

/**
 * Rewrites one row from its assessment: read → write → read again until the assessment did not
 * move in between (no transactions in FerretDB), so of two concurrent rebuilds the one that writes
 * last also saw the last assessment write. A missing assessment deletes the row. It never fails
 * the write it follows (that write is done): an assessment still changing after every round is
 * being written by others, whose own rebuilds follow their writes.
 */
export async function rebuildApplicationRow(model: SourceModel, key: Key): Promise<void> {
  const read = () =>
    model
      .findOne({ tenantId: key.tenantId, _id: key._id })
      .select(ROW_SOURCE_FIELDS)
      .lean<RowSource>();
  let source = await read();
  for (let round = 0; round < REBUILD_ROUNDS; round++) {
    if (!source) await ApplicationRow.deleteOne({ tenantId: key.tenantId, _id: key._id });
    else
      await ApplicationRow.replaceOne(
        { tenantId: key.tenantId, _id: key._id },
        rowFromAssessment(source),
        { upsert: true },
      );
    const after = await read();
    if (sameSource(after, source)) return;
    source = after;
  }
  logger.warn({ applicationId: String(key._id) }, "application row kept changing while it was rebuilt; the next write rebuilds it");
}

/** Whether a write's result says it matched nothing (a lost compare-and-set): no row to rebuild. */
function matchedNothing(result: unknown): boolean {
  if (result === null) return true;
  if (typeof result !== "object") return false;
  const r = result as { matchedCount?: unknown; upsertedCount?: unknown; deletedCount?: unknown };
  if (typeof r.matchedCount === "number") return r.matchedCount === 0 && !(typeof r.upsertedCount === "number" && r.upsertedCount > 0);
  if (typeof r.deletedCount === "number") return r.deletedCount === 0;
  return false;
}

/** Replaces (or inserts) the rows of these assessments as they are given. */
export async function writeApplicationRows(sources: RowSource[]): Promise<void> {
  await bulkWriteInChunks(
    ApplicationRow,
    sources.map((s) => {
      const row = rowFromAssessment(s);
      return { replaceOne: { filter: { tenantId: row.tenantId, _id: row._id }, replacement: row, upsert: true } };
    }),
  );
}

function asObjectId(value: unknown): Types.ObjectId | null {
  if (value instanceof mongoose.Types.ObjectId) return value;
  return typeof value === "string" && mongoose.Types.ObjectId.isValid(value)
    ? new mongoose.Types.ObjectId(value)
    : null;
}

const WRITE_QUERIES = [
  "updateOne",
  "updateMany",
  "findOneAndUpdate",
  "findOneAndDelete",
  "findOneAndReplace",
  "replaceOne",
  "deleteOne",
  "deleteMany",
] as const;

export function keepApplicationRowsInStep(schema: Schema): void {
  const touched = new WeakMap<object, Key[]>();
  for (const op of WRITE_QUERIES) {
    schema.pre(op, async function () {
      const filter = this.getFilter();
      const tenantId = asObjectId(filter.tenantId);
      const id = asObjectId(filter._id);
      // The usual write (casUpdate, by tenant and `_id`) names its one document: no read needed.
      if (tenantId && id) {
        touched.set(this, [{ tenantId, _id: id }]);
        return;
      }
      const rows = await this.model
        .find(filter)
        .setOptions({ crossTenant: true })
        .select({ tenantId: 1, _id: 1 })
        .lean<Key[]>();
      touched.set(this, rows);
    });
    schema.post(op, async function (result: unknown) {
      if (matchedNothing(result)) return;
      for (const key of touched.get(this) ?? []) await rebuildApplicationRow(this.model, key);
    });
  }
  schema.post("save", async function (doc: RowSource) {
    await writeApplicationRows([doc]);
  });
  // mongoose types the result of insertMany as the model; it is the inserted documents.
  schema.post("insertMany", async function (docs: unknown) {
    await writeApplicationRows(docs as RowSource[]);
  });
}
