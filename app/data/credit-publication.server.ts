/**
 * The public credit registry's read model (`credit_publications`, models/credit-publication.ts):
 * one slim document per PUBLISHED credit record with the publishable fields only. The public side
 * (app/data/credit-registry.server.ts) reads nothing else, so it can never leak a non-public field
 * and never scans the working collection (FerretDB 1.24 decodes every full record on a scan).
 *
 * Consistency: the record and its publication are two documents and FerretDB has no
 * transactions. A transition into or out of `published` sets `publicationPending` (and
 * `effectsPending`) in its compare-and-set; the effects run (`carryOutCreditEffects`) syncs first
 * and clears both flags once done; the `credit-lifecycle` job redelivers what a crash left
 * pending. `syncCreditPublication` always re-reads the record, so it is idempotent and the last
 * run is right whatever order concurrent runs finish in. Every sync also hands the publication to
 * the registry's name index (app/data/credit/postings.server.ts, decision 036).
 */
import type { Types } from "mongoose";
import { AppMigration } from "../../models/app-migration";
import { CreditPublication, type CreditPublicationDoc } from "../../models/credit-publication";
import { CreditRecord, type CreditRecordDoc } from "../../models/credit-record";
import { connectDb } from "~/db.server";
import { creditSearchFields, maskIdNumber } from "~/lib/credit";
import { chinaMonth } from "~/lib/month-buckets";
import { creditCodePrefixes, creditGrams } from "~/lib/credit-grams";
import { casUpdate } from "./cas.server";
import { notePublicationChange, runCreditPostings } from "./credit/postings.server";
import { isDuplicateKeyError } from "./mongo-errors.server";

export type CreditPublicationSync = "upserted" | "unchanged" | "deleted" | "absent";

const RECORD_FIELDS = {
  tenantId: 1,
  subjectName: 1,
  creditCode: 1,
  subjectType: 1,
  responsiblePerson: 1,
  listType: 1,
  conditionKey: 1,
  legalBasis: 1,
  penaltyDecisionNo: 1,
  authority: 1,
  listedAt: 1,
  listedYear: 1,
  endsAt: 1,
  status: 1,
  version: 1,
} as const;

type SourceDoc = Pick<CreditRecordDoc, "_id" | keyof typeof RECORD_FIELDS>;

/** The publication of a (published) record: the publishable fields only, the ID number masked. */
export function toCreditPublication(doc: SourceDoc): CreditPublicationDoc {
  const idNumber = doc.responsiblePerson?.idNumber ?? "";
  const search = creditSearchFields(doc.subjectName, doc.creditCode);
  return {
    _id: doc._id,
    tenantId: doc.tenantId,
    subjectName: doc.subjectName,
    creditCode: doc.creditCode,
    subjectType: doc.subjectType,
    responsiblePerson: { name: doc.responsiblePerson?.name ?? "", idNumberMasked: idNumber ? maskIdNumber(idNumber) : "" },
    listType: doc.listType,
    conditionKey: doc.conditionKey,
    legalBasis: doc.legalBasis ?? "",
    penaltyDecisionNo: doc.penaltyDecisionNo ?? "",
    authority: doc.authority ?? "",
    listedAt: doc.listedAt ?? null,
    listedYear: doc.listedYear ?? null,
    listedMonth: listedMonthOf(doc.listedAt ?? null),
    endsAt: doc.endsAt ?? null,
    search,
    searchCode: search.code,
    grams: creditGrams(search.name),
    codePrefixes: creditCodePrefixes(search.code),
    version: doc.version,
  };
}

/** YYYYMM of a listing time in China time (`listedYear` is its year in the same zone). */
export function listedMonthOf(at: Date | null): number | null {
  return at ? chinaMonth(at) : null;
}

/**
 * Field-by-field comparison in a fixed order (stored documents may list their keys differently).
 * `version` is left out: a later version with the same public content needs no write.
 */
function canonical(doc: CreditPublicationDoc): string {
  return JSON.stringify([
    String(doc._id),
    String(doc.tenantId),
    doc.subjectName,
    doc.creditCode,
    doc.subjectType,
    doc.responsiblePerson?.name ?? "",
    doc.responsiblePerson?.idNumberMasked ?? "",
    doc.listType,
    doc.conditionKey,
    doc.legalBasis,
    doc.penaltyDecisionNo,
    doc.authority,
    doc.listedAt ? new Date(doc.listedAt).toISOString() : null,
    doc.listedYear ?? null,
    doc.listedMonth ?? null,
    doc.endsAt ? new Date(doc.endsAt).toISOString() : null,
    doc.search?.name ?? "",
    doc.search?.code ?? "",
    // Publications written before the search fields existed lack them, so the full repair at
    // start-up rewrites (backfills) them.
    doc.searchCode ?? null,
    doc.grams ?? null,
    doc.codePrefixes ?? null,
  ]);
}

/**
 * Makes the record's publication follow the record: present and current while it is published,
 * absent otherwise. Re-reads the record every time; a repeated run changes nothing. A run that
 * read the record before a later transition could land its write after that transition's own
 * sync, so after writing it checks the record's version and goes again if the record moved.
 */
export async function syncCreditPublication({
  tenantId,
  recordId,
}: {
  tenantId: Types.ObjectId;
  recordId: Types.ObjectId;
}): Promise<CreditPublicationSync> {
  await connectDb();
  const result = await syncUntilSettled(tenantId, recordId);
  // Also when unchanged: a repair run may follow a crash between the write and the marker.
  await notePublicationChange(recordId);
  await runCreditPostings();
  return result;
}

async function syncUntilSettled(tenantId: Types.ObjectId, recordId: Types.ObjectId): Promise<CreditPublicationSync> {
  let result: CreditPublicationSync = "unchanged";
  for (let attempt = 0; attempt < 5; attempt++) {
    const pass = await syncPass(tenantId, recordId);
    if (attempt === 0 || pass.result !== "unchanged") result = pass.result;
    if (pass.result === "unchanged" || pass.result === "absent") return result;
    const latest = await CreditRecord.findOne({ _id: recordId, tenantId })
      .select({ version: 1 })
      .lean<{ version: number } | null>();
    if ((latest?.version ?? null) === pass.version) return result;
  }
  return result;
}

async function syncPass(
  tenantId: Types.ObjectId,
  recordId: Types.ObjectId,
): Promise<{ result: CreditPublicationSync; version: number | null }> {
  // `_id` first: the one filter FerretDB pushes down to SQLite.
  const record = await CreditRecord.findOne({ _id: recordId, tenantId }).select(RECORD_FIELDS).lean<SourceDoc | null>();
  const version = record?.version ?? null;
  const current = await CreditPublication.findOne({ _id: recordId, tenantId }).lean<CreditPublicationDoc | null>();
  if (!record || record.status !== "published") {
    if (!current) return { result: "absent", version };
    await CreditPublication.deleteOne({ _id: recordId, tenantId });
    return { result: "deleted", version };
  }
  const next = toCreditPublication(record);
  if (current && canonical(current) === canonical(next)) return { result: "unchanged", version };
  for (let attempt = 0; ; attempt++) {
    try {
      await CreditPublication.replaceOne({ _id: recordId, tenantId }, next, { upsert: true });
      return { result: "upserted", version };
    } catch (error) {
      // Two first syncs may race on the upsert's insert; the document exists now, so replace it.
      if (!isDuplicateKeyError(error)) throw error;
      if (attempt >= 1) return { result: "upserted", version };
    }
  }
}

export type CreditPublicationReconcile = { checked: number; synced: number; cleared: number };

/**
 * Repair. Syncs the records still flagged `publicationPending` (and clears the flag when no
 * effects run is left to do it); with `full`, also every published record and every existing
 * publication (a rebuild, e.g. once after deploying the read model: it scans both collections).
 */
export async function reconcileCreditPublications({
  full = false,
  limit = 500,
}: { full?: boolean; limit?: number } = {}): Promise<CreditPublicationReconcile> {
  await connectDb();
  const run: CreditPublicationReconcile = { checked: 0, synced: 0, cleared: 0 };
  type Pending = { _id: Types.ObjectId; tenantId: Types.ObjectId; version: number; effectsPending: boolean };
  const pending = await CreditRecord.find({ publicationPending: true })
    .setOptions({ crossTenant: true })
    .select({ tenantId: 1, version: 1, effectsPending: 1 })
    .limit(limit)
    .lean<Pending[]>();
  for (const r of pending) {
    run.checked += 1;
    const result = await syncCreditPublication({ tenantId: r.tenantId, recordId: r._id });
    if (result === "upserted" || result === "deleted") run.synced += 1;
    // A pending effects run clears the flag itself (after syncing again); otherwise clear it here,
    // only if the record has not moved on since it was read.
    if (!r.effectsPending) {
      const won = await casUpdate(
        CreditRecord,
        { _id: r._id, tenantId: r.tenantId, expectedVersion: r.version, extra: { publicationPending: true, effectsPending: false } },
        { $set: { publicationPending: false } },
      );
      if (won) run.cleared += 1;
    }
  }
  if (full) {
    type Ref = { _id: Types.ObjectId; tenantId: Types.ObjectId };
    const seen = new Set<string>();
    const refs = [
      ...(await CreditRecord.find({ status: "published" }).setOptions({ crossTenant: true }).select({ tenantId: 1 }).lean<Ref[]>()),
      ...(await CreditPublication.find({}).setOptions({ crossTenant: true }).select({ tenantId: 1 }).lean<Ref[]>()),
    ];
    for (const r of refs) {
      if (seen.has(String(r._id))) continue;
      seen.add(String(r._id));
      run.checked += 1;
      const result = await syncCreditPublication({ tenantId: r.tenantId, recordId: r._id });
      if (result === "upserted" || result === "deleted") run.synced += 1;
    }
  }
  return run;
}

/** Raised whenever the publication's shape gains a derived field that older documents lack. */
const READ_MODEL_MARK = "credit-publications:grams-2";

/**
 * Start-up fill and backfill: once per database and read-model shape (a mark in `app_migrations`,
 * read by `_id`), rebuilds every publication with `reconcileCreditPublications({ full: true })`,
 * which rewrites each one whose derived fields differ (e.g. lack `grams`). Several instances
 * starting together may each run it; the sync is idempotent. Returns whether it ran.
 */
export async function ensureCreditPublicationsCurrent(): Promise<boolean> {
  await connectDb();
  if (await AppMigration.exists({ _id: READ_MODEL_MARK })) return false;
  await reconcileCreditPublications({ full: true });
  await AppMigration.updateOne({ _id: READ_MODEL_MARK }, { $set: { at: new Date() } }, { upsert: true });
  return true;
}

/**
 * For a database whose publications were all just written by this version's `toCreditPublication`
 * (the bench city seed): records the start-up backfill as done, so the first start does not
 * re-check every publication (minutes at 100,000 of them; the bench's app start timed out).
 */
export async function markCreditPublicationsCurrent(): Promise<void> {
  await connectDb();
  await AppMigration.updateOne({ _id: READ_MODEL_MARK }, { $set: { at: new Date() } }, { upsert: true });
}
