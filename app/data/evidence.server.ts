/**
 * Evidence files of self-assessments, stored in the GridFS bucket "evidence".
 *
 * Ownership is recorded twice: in the file's GridFS metadata (tenantId, assessmentId, itemId,
 * uploadedBy, contentType, sha256) and as an EvidenceRef in the assessment document. The ref is
 * what grants access: a file is served only when an assessment the member may see references it
 * (carried-over evidence refers to the file of the previous cycle, so several assessments of the
 * same enterprise can share one file).
 *
 * Write order keeps failures harmless: upload = store the file, then push the ref (if the push
 * fails the file is deleted at once, and the orphan purge catches a crash in between); delete =
 * remove the ref, then delete the file. A ref never points at a missing file. Both ref changes
 * are compare-and-sets on the assessment `version` (app/data/cas.server.ts), like answer saves.
 *
 * GridFS is used through mongoose's own copy of the driver (`mongoose.mongo`). The app also has a
 * top-level `mongodb` package of another version; a GridFSBucket from that copy, given mongoose's
 * Db, cannot recognise the other copy's "namespace not found" error, silently skips creating the
 * GridFS indexes, and every chunk read becomes a collection scan. The indexes are also created
 * explicitly here, once per process.
 */
import { getTenantById } from "./tenants.server";
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import mongoose, { Types } from "mongoose";
import { Assessment, type AssessmentDoc, type EvidenceRef } from "../../models/assessment";
import { CreditRecord } from "../../models/credit-record";
import { RectificationItem } from "../../models/rectification-item";
import { EVIDENCE_BUCKET, EVIDENCE_INDEXES } from "../../models/evidence-files";
import type { TenantSettings } from "../../models/tenant";
import { connectDb } from "~/db.server";
import {
  DEFAULT_EVIDENCE_LIMITS,
  HEAD_BYTES,
  MAX_CENTRAL_DIRECTORY_BYTES,
  ZIP_TAIL_BYTES,
  classifyCentralDirectory,
  cleanFilename,
  decideType,
  kindFromFilename,
  locateCentralDirectory,
  sniffHead,
  type EvidenceFileView,
  type EvidenceLimits,
  type ZipContents,
} from "~/lib/evidence";
import type { Rubric } from "~/lib/rubric/schema";
import { logger } from "~/logger.server";
import {
  canEditAssessment,
  findVisibleAssessment,
  type AssessmentActor,
} from "./assessment-access.server";
import { recordAudit } from "./audit.server";
import { casUpdate } from "./cas.server";
import { toObjectId, type TenantScope } from "./ids.server";
import { getRubricVersion } from "./rubrics.server";

export { EVIDENCE_BUCKET };

type Bucket = InstanceType<typeof mongoose.mongo.GridFSBucket>;
type FilesDoc = {
  _id: Types.ObjectId;
  length: number;
  uploadDate: Date;
  filename: string;
  metadata?: {
    tenantId?: Types.ObjectId;
    assessmentId?: Types.ObjectId;
    itemId?: string;
    uploadedBy?: Types.ObjectId;
    contentType?: string;
    sha256?: string;
  };
};

let indexesReady: Promise<void> | undefined;

async function evidenceBucket(): Promise<Bucket> {
  const conn = await connectDb();
  const db = conn.connection.db;
  if (!db) throw new Error("no database handle");
  const bucket = new mongoose.mongo.GridFSBucket(db, { bucketName: EVIDENCE_BUCKET });
  indexesReady ??= ensureEvidenceIndexes(bucket).catch((error: unknown) => {
    indexesReady = undefined;
    throw error;
  });
  await indexesReady;
  return bucket;
}

function filesCollection() {
  const db = mongoose.connection.db;
  if (!db) throw new Error("no database handle");
  return db.collection<FilesDoc>(`${EVIDENCE_BUCKET}.files`);
}

function chunksCollection() {
  const db = mongoose.connection.db;
  if (!db) throw new Error("no database handle");
  return db.collection<{ _id: Types.ObjectId; files_id: Types.ObjectId; n: number }>(
    `${EVIDENCE_BUCKET}.chunks`,
  );
}

/** GridFS's own two indexes plus ours (ownership, and upload date for the orphan purge). Idempotent. */
async function ensureEvidenceIndexes(_bucket: Bucket): Promise<void> {
  const db = mongoose.connection.db;
  if (!db) throw new Error("no database handle");
  for (const index of EVIDENCE_INDEXES) {
    await db.collection(index.collection).createIndex(index.keys, index.unique ? { unique: true } : {});
  }
}

// ---------------------------------------------------------------------------------------------
// Limits

/** The tenant's limits, each falling back to the default when unset. */
export function evidenceLimits(
  settings: Pick<TenantSettings, "evidence"> | null | undefined,
): EvidenceLimits {
  const own = settings?.evidence ?? {};
  const pick = (value: number | undefined, fallback: number) =>
    typeof value === "number" && Number.isInteger(value) && value > 0 ? value : fallback;
  return {
    maxFileBytes: pick(own.maxFileBytes, DEFAULT_EVIDENCE_LIMITS.maxFileBytes),
    maxFilesPerItem: pick(own.maxFilesPerItem, DEFAULT_EVIDENCE_LIMITS.maxFilesPerItem),
    maxFilesPerAssessment: pick(
      own.maxFilesPerAssessment,
      DEFAULT_EVIDENCE_LIMITS.maxFilesPerAssessment,
    ),
  };
}

export async function getEvidenceLimits({ tenantId }: TenantScope): Promise<EvidenceLimits> {
  await connectDb();
  const tenant = await getTenantById(tenantId);
  return evidenceLimits(tenant?.settings);
}

// ---------------------------------------------------------------------------------------------
// Views

export function toEvidenceFileView(ref: EvidenceRef): EvidenceFileView {
  return {
    fileId: String(ref.fileId),
    itemId: ref.itemId,
    filename: ref.filename,
    contentType: ref.contentType,
    size: ref.size,
    uploadedAt: ref.uploadedAt.toISOString(),
    uploadedBy: String(ref.uploadedBy),
    carriedOver: ref.carriedOver === true,
  };
}

/** Evidence views grouped by item id, in upload order. */
export function evidenceByItem(
  evidence: readonly EvidenceRef[],
): Record<string, EvidenceFileView[]> {
  const out: Record<string, EvidenceFileView[]> = {};
  for (const ref of evidence) (out[ref.itemId] ??= []).push(toEvidenceFileView(ref));
  return out;
}

/**
 * Items that require evidence and have no file, in rubric order. Items answered "not applicable"
 * need none (they leave the assessment). Carried-over files count: they are files on record.
 */
export function missingRequiredEvidence(
  rubric: Rubric,
  assessment: {
    evidence: ReadonlyArray<Pick<EvidenceRef, "itemId">>;
    answers?: ReadonlyArray<{ itemId: string; choice: string }>;
  },
): string[] {
  const withFiles = new Set(assessment.evidence.map((e) => e.itemId));
  const notApplicable = new Set(
    (assessment.answers ?? []).filter((a) => a.choice === "na").map((a) => a.itemId),
  );
  const missing: string[] = [];
  for (const el of rubric.elements)
    for (const sub of el.subElements)
      for (const item of sub.items)
        if (item.evidenceRequired && !withFiles.has(item.id) && !notApplicable.has(item.id))
          missing.push(item.id);
  return missing;
}

// ---------------------------------------------------------------------------------------------
// Upload

export type EvidenceSource = Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export type UploadEvidenceError =
  | "notFound"
  | "forbidden"
  | "locked"
  | "conflict"
  | "unknownItem"
  | "badName"
  | "empty"
  | "type"
  | "mismatch"
  | "tooLarge"
  | "tooManyForItem"
  | "tooManyForAssessment";

export type UploadEvidenceResult =
  | { ok: true; evidence: EvidenceRef; version: number }
  | { ok: false; error: UploadEvidenceError; limits: EvidenceLimits };

export type UploadEvidenceInput = TenantScope & {
  assessmentId: string | Types.ObjectId;
  itemId: string;
  file: EvidenceSource;
  filename: string;
  actor: AssessmentActor;
  /** When given, the upload is refused (conflict) unless the assessment is still at this version. */
  expectedVersion?: number;
  /** Size announced before the bytes arrive (Blob size, part size); lets a too-large file fail at once. */
  declaredSize?: number;
  limits?: EvidenceLimits;
  now?: Date;
  ip?: string;
};

type EvidenceAssessment = Pick<
  AssessmentDoc,
  "_id" | "tenantId" | "enterpriseId" | "state" | "version" | "evidence" | "rubricVersionId"
>;

/** Counting refs per item and in total; null when another file still fits. */
function countError(
  doc: Pick<AssessmentDoc, "evidence">,
  itemId: string,
  limits: EvidenceLimits,
): UploadEvidenceError | null {
  if (doc.evidence.length >= limits.maxFilesPerAssessment) return "tooManyForAssessment";
  if (doc.evidence.filter((e) => e.itemId === itemId).length >= limits.maxFilesPerItem)
    return "tooManyForItem";
  return null;
}

function rubricHasItem(rubric: Rubric, itemId: string): boolean {
  return rubric.elements.some((el) =>
    el.subElements.some((sub) => sub.items.some((item) => item.id === itemId)),
  );
}

const PUSH_ATTEMPTS = 16;

/**
 * Checks everything that can be checked before reading a byte, streams the file into GridFS
 * (counting, hashing and sniffing on the way; aborting and deleting the partial file as soon as it
 * is too large or of the wrong type), then adds the ref with a compare-and-set on the assessment.
 * The caller's stream is left unconsumed when the upload is refused before storing.
 */
export async function uploadEvidence(input: UploadEvidenceInput): Promise<UploadEvidenceResult> {
  const { tenantId, itemId, actor } = input;
  const limits = input.limits ?? (await getEvidenceLimits({ tenantId }));
  const fail = (error: UploadEvidenceError): UploadEvidenceResult => ({ ok: false, error, limits });

  const filename = cleanFilename(input.filename);
  if (filename === null) return fail("badName");
  if (kindFromFilename(filename) === null) return fail("type");
  const declared = input.declaredSize ?? (input.file instanceof Blob ? input.file.size : undefined);
  if (declared !== undefined && declared > limits.maxFileBytes) return fail("tooLarge");

  const doc = await findVisibleAssessment({
    tenantId,
    id: input.assessmentId,
    actor,
    fields: ["evidence", "rubricVersionId"],
  });
  if (!doc) return fail("notFound");
  if (!canEditAssessment(actor, { ...doc, state: "draft" })) return fail("forbidden");
  if (doc.state !== "draft") return fail("locked");
  if (input.expectedVersion !== undefined && input.expectedVersion !== doc.version)
    return fail("conflict");
  const pinned = await getRubricVersion({ tenantId, id: doc.rubricVersionId });
  if (!pinned || !rubricHasItem(pinned.rubric, itemId)) return fail("unknownItem");
  const tooMany = countError(doc, itemId, limits);
  if (tooMany) return fail(tooMany);

  const stored = await storeFile({
    source: input.file,
    filename,
    maxBytes: limits.maxFileBytes,
    metadata: { tenantId, assessmentId: doc._id, itemId, uploadedBy: actor.user._id },
  });
  if (!stored.ok) return fail(stored.error);

  const ref: EvidenceRef = {
    fileId: stored.fileId,
    itemId,
    filename,
    contentType: stored.contentType,
    size: stored.size,
    uploadedBy: actor.user._id,
    uploadedAt: input.now ?? new Date(),
  };
  const pushed = await pushRef(doc, ref, limits, input.expectedVersion);
  if (!pushed.ok) {
    await deleteFileQuietly(stored.fileId);
    return fail(pushed.error);
  }
  await recordAudit({
    tenantId,
    action: "evidence.upload",
    actor: { id: actor.user._id, email: actor.user.email },
    ip: input.ip,
    target: { type: "assessment", id: String(doc._id), label: filename },
    details: {
      itemId,
      fileId: String(stored.fileId),
      size: stored.size,
      sha256: stored.sha256,
      contentType: stored.contentType,
    },
  });
  return { ok: true, evidence: ref, version: pushed.version };
}

/**
 * Adds the ref at the version read. Evidence changes commute with answer edits, so without an
 * expected version a lost race is retried on a fresh read (the limits are checked again each time).
 */
async function pushRef(
  first: EvidenceAssessment,
  ref: EvidenceRef,
  limits: EvidenceLimits,
  expectedVersion: number | undefined,
): Promise<{ ok: true; version: number } | { ok: false; error: UploadEvidenceError }> {
  let doc: EvidenceAssessment | null = first;
  for (let attempt = 0; attempt < PUSH_ATTEMPTS && doc; attempt++) {
    if (doc.state !== "draft") return { ok: false, error: "locked" };
    const tooMany = countError(doc, ref.itemId, limits);
    if (tooMany) return { ok: false, error: tooMany };
    const applied = await casUpdate(
      Assessment,
      {
        _id: doc._id,
        tenantId: doc.tenantId,
        expectedVersion: doc.version,
        extra: { state: "draft" },
      },
      { $push: { evidence: ref } },
    );
    if (applied) return { ok: true, version: doc.version + 1 };
    if (expectedVersion !== undefined) break;
    await new Promise((resolve) =>
      setTimeout(resolve, 5 + Math.floor(Math.random() * 20) * attempt),
    );
    doc = await Assessment.findOne(
      { _id: doc._id, tenantId: doc.tenantId },
      { tenantId: 1, enterpriseId: 1, state: 1, version: 1, evidence: 1, rubricVersionId: 1 },
    ).lean<EvidenceAssessment>();
  }
  if (!doc) return { ok: false, error: "notFound" };
  return { ok: false, error: doc.state !== "draft" ? "locked" : "conflict" };
}

type StoreResult =
  | { ok: true; fileId: Types.ObjectId; size: number; sha256: string; contentType: string }
  | { ok: false; error: "empty" | "type" | "mismatch" | "tooLarge" };

async function* chunksOf(source: EvidenceSource): AsyncGenerator<Uint8Array> {
  const stream = source instanceof Blob ? source.stream() : source;
  if ("getReader" in stream) {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    yield* stream;
  }
}

function writeChunk(upload: NodeJS.WritableStream, chunk: Uint8Array): Promise<void> {
  // Waiting for each write's callback means no chunk insert is in flight when we abort.
  return new Promise((resolve, reject) => {
    upload.write(chunk, (error?: Error | null) => (error ? reject(error) : resolve()));
  });
}

/** The last `max` bytes seen so far, without copying the whole stream. */
class TailBuffer {
  private chunks: Uint8Array[] = [];
  private length = 0;
  constructor(private readonly max: number) {}
  push(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.length += chunk.byteLength;
    while (this.chunks.length > 1 && this.length - (this.chunks[0]?.byteLength ?? 0) >= this.max) {
      this.length -= this.chunks.shift()?.byteLength ?? 0;
    }
  }
  bytes(): Uint8Array {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max));
  }
}

async function storeFile({
  source,
  filename,
  maxBytes,
  metadata,
}: {
  source: EvidenceSource;
  filename: string;
  maxBytes: number;
  metadata: {
    tenantId: Types.ObjectId;
    /** An assessment's evidence… */
    assessmentId?: Types.ObjectId;
    itemId?: string;
    /** …or a credit record's defence / repair file (Step 6)… */
    creditRecordId?: Types.ObjectId;
    /** …or a rectification item's evidence (Step 10). */
    rectificationItemId?: Types.ObjectId;
    uploadedBy: Types.ObjectId;
  };
}): Promise<StoreResult> {
  const bucket = await evidenceBucket();
  const fileId = new Types.ObjectId();
  const upload = bucket.openUploadStream(filename, { id: fileId, metadata });
  const hash = createHash("sha256");
  const byName = kindFromFilename(filename);
  const tail = new TailBuffer(ZIP_TAIL_BYTES);
  let head: Uint8Array = new Uint8Array(0);
  let headChecked = false;
  let size = 0;

  const abort = async (error: "empty" | "type" | "mismatch" | "tooLarge"): Promise<StoreResult> => {
    await upload
      .abort()
      .catch((e: unknown) =>
        logger.warn({ err: e, fileId: String(fileId) }, "evidence abort failed"),
      );
    return { ok: false, error };
  };
  /** Refuses early on the first bytes: anything but the four signatures, or a signature the name contradicts. */
  const checkHead = (): "type" | "mismatch" | null => {
    headChecked = true;
    const sniffed = sniffHead(head);
    if (sniffed === null) return "type";
    if (sniffed === "zip") return byName === "docx" || byName === "xlsx" ? null : "mismatch";
    return sniffed === byName ? null : "mismatch";
  };

  try {
    for await (const chunk of chunksOf(source)) {
      if (chunk.byteLength === 0) continue;
      size += chunk.byteLength;
      if (size > maxBytes) return await abort("tooLarge");
      if (head.length < HEAD_BYTES) {
        head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
        if (head.length >= HEAD_BYTES) {
          const refused = checkHead();
          if (refused) return await abort(refused);
        }
      }
      hash.update(chunk);
      if (byName === "docx" || byName === "xlsx") tail.push(chunk);
      await writeChunk(upload, chunk);
    }
    if (size === 0) return await abort("empty");
    if (!headChecked) {
      const refused = checkHead();
      if (refused) return await abort(refused);
    }
    upload.end();
    await finished(upload);
  } catch (error) {
    // Client gone or database error mid-stream: leave nothing behind, then let the caller see it.
    if (!upload.writableEnded) await upload.abort().catch(() => {});
    await deleteFileQuietly(fileId);
    throw error;
  }

  let zip: ZipContents | null = null;
  if (sniffHead(head) === "zip") {
    zip = await readZipContents(bucket, fileId, tail.bytes(), size);
  }
  const decision = decideType(filename, head, zip);
  if (!decision.ok) {
    await deleteFileQuietly(fileId);
    return { ok: false, error: decision.error };
  }
  const sha256 = hash.digest("hex");
  await filesCollection().updateOne(
    { _id: fileId },
    { $set: { "metadata.contentType": decision.contentType, "metadata.sha256": sha256 } },
  );
  return { ok: true, fileId, size, sha256, contentType: decision.contentType };
}

async function readZipContents(
  bucket: Bucket,
  fileId: Types.ObjectId,
  tail: Uint8Array,
  size: number,
): Promise<ZipContents | null> {
  const cd = locateCentralDirectory(tail, size);
  if (!cd || cd.size > MAX_CENTRAL_DIRECTORY_BYTES) return null;
  const tailStart = size - tail.length;
  let bytes: Uint8Array;
  if (cd.offset >= tailStart) {
    bytes = tail.subarray(cd.offset - tailStart, cd.offset - tailStart + cd.size);
  } else {
    // A big central directory (many parts) starts before the kept tail: read just that range back.
    const parts: Buffer[] = [];
    for await (const part of bucket.openDownloadStream(fileId, {
      start: cd.offset,
      end: cd.offset + cd.size,
    })) {
      parts.push(Buffer.from(part as Uint8Array));
    }
    bytes = Buffer.concat(parts);
  }
  return classifyCentralDirectory(bytes, cd.entries);
}

function isFileNotFound(error: unknown): boolean {
  return error instanceof Error && /File not found/i.test(error.message);
}

async function deleteFileQuietly(fileId: Types.ObjectId): Promise<boolean> {
  try {
    const bucket = await evidenceBucket();
    await bucket.delete(fileId);
    return true;
  } catch (error) {
    if (isFileNotFound(error)) {
      // No files document (an aborted upload): chunks may still exist.
      await chunksCollection()
        .deleteMany({ files_id: fileId })
        .catch(() => {});
      return false;
    }
    // The orphan purge job removes it later.
    logger.warn({ err: error, fileId: String(fileId) }, "evidence file delete failed");
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Download

export type EvidenceDownload = {
  ref: EvidenceRef;
  length: number;
  sha256: string | null;
  stream: Readable;
};

/**
 * Opens a file for someone who may see the assessment that references it; null otherwise (404).
 * The content type served is the one detected at upload, never the client's claim.
 */
export async function openEvidenceDownload({
  tenantId,
  assessmentId,
  fileId,
  actor,
}: TenantScope & {
  assessmentId: string;
  fileId: string;
  actor: AssessmentActor;
}): Promise<EvidenceDownload | null> {
  const _fileId = toObjectId(fileId);
  if (!_fileId) return null;
  const doc = await findVisibleAssessment({
    tenantId,
    id: assessmentId,
    actor,
    fields: ["evidence"],
  });
  const ref = doc?.evidence.find((e) => e.fileId.equals(_fileId));
  if (!ref) return null;
  const bucket = await evidenceBucket();
  const file = await filesCollection().findOne({ _id: _fileId, "metadata.tenantId": tenantId });
  if (!file) {
    logger.error({ fileId, assessmentId }, "evidence ref without a stored file");
    return null;
  }
  return {
    ref,
    length: file.length,
    sha256: file.metadata?.sha256 ?? null,
    stream: bucket.openDownloadStream(_fileId),
  };
}

/**
 * Content-Disposition with an ASCII fallback and the RFC 5987 `filename*` for the real (often
 * Chinese) name; every current browser prefers `filename*`.
 */
export function contentDisposition(
  filename: string,
  type: "attachment" | "inline" = "attachment",
): string {
  const dot = filename.lastIndexOf(".");
  const ext = dot > 0 ? filename.slice(dot).replace(/[^A-Za-z0-9.]/g, "") : "";
  const stem = (dot > 0 ? filename.slice(0, dot) : filename)
    .replace(/[^\x20-\x7e]+/g, "_")
    .replace(/["\\%;]/g, "_")
    .trim();
  const fallback = `${/[A-Za-z0-9]/.test(stem) ? stem : "evidence"}${ext}`;
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

// ---------------------------------------------------------------------------------------------
// Delete

export type DeleteEvidenceError = "notFound" | "forbidden" | "locked" | "conflict";

export async function deleteEvidence({
  tenantId,
  assessmentId,
  fileId,
  actor,
  expectedVersion,
  ip,
}: TenantScope & {
  assessmentId: string;
  fileId: string;
  actor: AssessmentActor;
  expectedVersion?: number;
  ip?: string;
}): Promise<{ ok: true; version: number } | { ok: false; error: DeleteEvidenceError }> {
  const _fileId = toObjectId(fileId);
  if (!_fileId) return { ok: false, error: "notFound" };
  let doc = await findVisibleAssessment({
    tenantId,
    id: assessmentId,
    actor,
    fields: ["evidence"],
  });
  if (!doc) return { ok: false, error: "notFound" };
  if (!canEditAssessment(actor, { ...doc, state: "draft" }))
    return { ok: false, error: "forbidden" };
  if (expectedVersion !== undefined && expectedVersion !== doc.version)
    return { ok: false, error: "conflict" };

  let version = -1;
  for (let attempt = 0; attempt < PUSH_ATTEMPTS && doc; attempt++) {
    const ref = doc.evidence.find((e) => e.fileId.equals(_fileId));
    if (!ref) return { ok: false, error: "notFound" };
    if (doc.state !== "draft") return { ok: false, error: "locked" };
    // The whole array is written back rather than `$pull: { evidence: { fileId } }`: FerretDB 1.24
    // treats a $pull condition as a value to compare the element with, so the query form removes
    // nothing there. Safe because the compare-and-set guarantees `doc` is the current version.
    const applied = await casUpdate(
      Assessment,
      { _id: doc._id, tenantId, expectedVersion: doc.version, extra: { state: "draft" } },
      { $set: { evidence: doc.evidence.filter((e) => !e.fileId.equals(_fileId)) } },
    );
    if (applied) {
      version = doc.version + 1;
      await recordAudit({
        tenantId,
        action: "evidence.delete",
        actor: { id: actor.user._id, email: actor.user.email },
        ip,
        target: { type: "assessment", id: String(doc._id), label: ref.filename },
        details: { itemId: ref.itemId, fileId },
      });
      break;
    }
    if (expectedVersion !== undefined) return { ok: false, error: "conflict" };
    doc = await findVisibleAssessment({ tenantId, id: assessmentId, actor, fields: ["evidence"] });
  }
  if (version < 0) return { ok: false, error: doc ? "conflict" : "notFound" };

  // A carried-over file is shared with an earlier assessment: keep it while anyone refers to it.
  // File ids are unique across tenants: the check runs on the purge's global evidence.fileId index.
  const stillUsed = await Assessment.exists({ "evidence.fileId": _fileId }).setOptions({ crossTenant: true });
  if (!stillUsed) await deleteFileQuietly(_fileId);
  return { ok: true, version };
}

// ---------------------------------------------------------------------------------------------
// Orphan purge (scheduled job)

const PURGE_BATCH = 500;

/**
 * Deletes GridFS files uploaded before `olderThan` that no assessment references, and chunks of
 * uploads that never completed. Safe to run on several instances at once: every step is a delete
 * of something unreferenced, and deleting what another instance just deleted is a no-op.
 * `olderThan` must leave room for uploads in progress (the ref is pushed right after the file).
 */
export async function purgeOrphanEvidence({
  olderThan,
}: {
  olderThan: Date;
}): Promise<{ files: number; chunks: number }> {
  const bucket = await evidenceBucket();
  const files = filesCollection();
  let deletedFiles = 0;
  let lastId: Types.ObjectId | null = null;
  for (;;) {
    // ObjectIds grow with upload time: the walk in _id order stops at the cut-off (decision 011).
    const filter: Record<string, unknown> = {
      uploadDate: { $lt: olderThan },
      _id: { $lt: Types.ObjectId.createFromTime(Math.floor(olderThan.getTime() / 1000) + 1), ...(lastId ? { $gt: lastId } : {}) },
    };
    const batch = await files
      .find(filter, { projection: { _id: 1 } })
      .sort({ _id: 1 })
      .limit(PURGE_BATCH)
      .toArray();
    if (batch.length === 0) break;
    lastId = batch[batch.length - 1]?._id ?? null;
    const ids = batch.map((f) => f._id);
    // A platform job: references are looked up across tenants on purpose.
    const referencing = await Assessment.find(
      { "evidence.fileId": { $in: ids } },
      { "evidence.fileId": 1 },
    )
      .setOptions({ crossTenant: true })
      .lean<Array<{ evidence: Array<{ fileId: Types.ObjectId }> }>>();
    const used = new Set<string>();
    for (const a of referencing) for (const e of a.evidence) used.add(String(e.fileId));
    // Credit records' defence and repair files live in the same bucket (Step 6).
    const creditRefs = await CreditRecord.find(
      { $or: [{ "defence.files.fileId": { $in: ids } }, { "repair.files.fileId": { $in: ids } }] },
      { "defence.files.fileId": 1, "repair.files.fileId": 1 },
    )
      .setOptions({ crossTenant: true })
      .lean<Array<{ defence: { files: Array<{ fileId: Types.ObjectId }> } | null; repair: { files: Array<{ fileId: Types.ObjectId }> } | null }>>();
    for (const r of creditRefs)
      for (const f of [...(r.defence?.files ?? []), ...(r.repair?.files ?? [])]) used.add(String(f.fileId));
    // …and rectification items' evidence (Step 10).
    const rectificationRefs = await RectificationItem.find(
      { "files.fileId": { $in: ids } },
      { "files.fileId": 1 },
    )
      .setOptions({ crossTenant: true })
      .lean<Array<{ files: Array<{ fileId: Types.ObjectId }> }>>();
    for (const r of rectificationRefs) for (const f of r.files) used.add(String(f.fileId));
    for (const id of ids) {
      if (used.has(String(id))) continue;
      try {
        await bucket.delete(id);
        deletedFiles++;
      } catch (error) {
        if (!isFileNotFound(error)) throw error;
      }
    }
    if (batch.length < PURGE_BATCH) break;
  }

  // Chunks without a files document: uploads that died before finishing (the files document is
  // written last). Chunk ids are made when the chunk is written, so their time says how old they are.
  const chunks = chunksCollection();
  const oldChunkIds = await chunks.distinct("files_id", {
    _id: { $lt: Types.ObjectId.createFromTime(Math.floor(olderThan.getTime() / 1000)) },
  });
  let deletedChunks = 0;
  for (let i = 0; i < oldChunkIds.length; i += PURGE_BATCH) {
    const slice = oldChunkIds.slice(i, i + PURGE_BATCH);
    const existing = new Set(
      (await files.find({ _id: { $in: slice } }, { projection: { _id: 1 } }).toArray()).map((f) =>
        String(f._id),
      ),
    );
    const orphaned = slice.filter((id) => !existing.has(String(id)));
    if (orphaned.length === 0) continue;
    const result = await chunks.deleteMany({
      files_id: { $in: orphaned },
      _id: { $lt: Types.ObjectId.createFromTime(Math.floor(olderThan.getTime() / 1000)) },
    });
    deletedChunks += result.deletedCount;
  }
  return { files: deletedFiles, chunks: deletedChunks };
}

/** For tests and diagnostics: the stored files of one assessment. */
export async function listStoredEvidenceFiles({
  tenantId,
  assessmentId,
}: TenantScope & { assessmentId: Types.ObjectId }): Promise<FilesDoc[]> {
  await evidenceBucket();
  return filesCollection()
    .find({ "metadata.tenantId": tenantId, "metadata.assessmentId": assessmentId })
    .toArray();
}

// ---------------------------------------------------------------------------------------------
// Other owners of stored files (Step 6: a credit record's defence statement and repair application)

export type StoredFile = { fileId: Types.ObjectId; name: string; size: number; contentType: string };

/**
 * Stores one upload in the evidence bucket with the evidence checks (name, type by magic bytes,
 * size). The caller records the returned reference, or deletes the file with `deleteStoredFile`.
 */
export async function storeOwnedFile({
  tenantId,
  creditRecordId,
  rectificationItemId,
  uploadedBy,
  source,
  filename: rawName,
  maxBytes,
}: TenantScope & {
  uploadedBy: Types.ObjectId;
  source: EvidenceSource;
  filename: string;
  maxBytes: number;
} & (
    | { creditRecordId: Types.ObjectId; rectificationItemId?: undefined }
    | { rectificationItemId: Types.ObjectId; creditRecordId?: undefined }
  )): Promise<{ ok: true; file: StoredFile } | { ok: false; error: "badName" | "empty" | "type" | "mismatch" | "tooLarge" }> {
  const filename = cleanFilename(rawName);
  if (filename === null) return { ok: false, error: "badName" };
  if (kindFromFilename(filename) === null) return { ok: false, error: "type" };
  const owner = creditRecordId ? { creditRecordId } : { rectificationItemId };
  const stored = await storeFile({ source, filename, maxBytes, metadata: { tenantId, ...owner, uploadedBy } });
  if (!stored.ok) return stored;
  return { ok: true, file: { fileId: stored.fileId, name: filename, size: stored.size, contentType: stored.contentType } };
}

export async function deleteStoredFile(fileId: Types.ObjectId): Promise<void> {
  await deleteFileQuietly(fileId);
}

/** Opens a stored file of this tenant; the caller has checked that the viewer may see its owner. */
export async function openStoredFile({
  tenantId,
  fileId,
}: TenantScope & { fileId: Types.ObjectId }): Promise<{ length: number; sha256: string | null; stream: Readable } | null> {
  const bucket = await evidenceBucket();
  const file = await filesCollection().findOne({ _id: fileId, "metadata.tenantId": tenantId });
  if (!file) return null;
  return { length: file.length, sha256: file.metadata?.sha256 ?? null, stream: bucket.openDownloadStream(fileId) };
}
