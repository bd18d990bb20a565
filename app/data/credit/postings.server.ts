/**
 * The credit registry's name index (decision 036): postings of 3-character grams, derived from
 * `credit_publications` (models/credit-posting.ts, pure rules in app/lib/credit-postings.ts).
 *
 * Writes. FerretDB 1.x applies an update by reading and writing back, so two instances changing
 * one posting at once could lose an entry. The postings therefore have ONE writer at a time (a
 * lease claim, decision 001): every publication sync only inserts a change marker (an insert is
 * atomic everywhere) and then asks the writer to run; the writer applies the pending markers,
 * each by re-reading its publication, and deletes them by `_id`. A publication's grams as last
 * posted are kept in its ref document, written as the union of old and new grams before the
 * postings change, so a crash mid-way leaves no entry the next run cannot find. The scheduled
 * `credit-postings` job runs the writer for markers left while it was busy.
 *
 * Reads. A search reads one posting by `_id` and the pending markers (normally none), verifies
 * the entries in Node and reads each pending publication itself: the answer is exact while the
 * writer catches up. Until the first build is done (a mark in `app_migrations`), or when every
 * gram of the query overflows, the search uses the publications' own `grams` read.
 */
import { randomUUID } from "node:crypto";
import { Types } from "mongoose";
import { AppMigration } from "../../../models/app-migration";
import { Claim } from "../../../models/claim";
import { CreditPosting, CreditPostingChange, CreditPostingRef, type CreditPostingDoc } from "../../../models/credit-posting";
import { CreditPublication, type CreditPublicationDoc } from "../../../models/credit-publication";
import { findByIds } from "../../../models/find-by-ids";
import { connectDb } from "~/db.server";
import {
  applyToPosting,
  builtPosting,
  entryMatches,
  POSTING_TRIES,
  postingChanges,
  postingEntry,
  postingGrams,
  packEntries,
  queryPostingGrams,
  unpackEntries,
  type PostingEntry,
  type PostingFilter,
} from "~/lib/credit-postings";
import { claimOnce } from "../cas.server";

export const POSTINGS_MARK = "credit-postings-2";
const WRITER_CLAIM = "credit-postings:writer";
/** A writer that has not renewed its lease for this long has stopped; another takes over. */
export const POSTINGS_LEASE_MS = 30_000;
/** More pending markers than this and a search reads the publications instead (writer far behind). */
export const PENDING_READ_MAX = 200;

const POSTING_SOURCE_FIELDS = { tenantId: 1, search: 1, listedAt: 1, conditionKey: 1, listedYear: 1, listType: 1 } as const;
type SourceDoc = Pick<
  CreditPublicationDoc,
  "_id" | "tenantId" | "search" | "listedAt" | "conditionKey" | "listedYear" | "listType"
>;

/** Called after every publication write (or repair): the postings owe this publication a look. */
export async function notePublicationChange(publicationId: Types.ObjectId): Promise<void> {
  await CreditPostingChange.create({ _id: `${String(publicationId)}:${randomUUID()}`, publicationId, at: new Date() });
}

// ---------------------------------------------------------------------------------------------
// The one writer

async function takeWriterLease(now = new Date()): Promise<string | null> {
  const owner = randomUUID();
  if (await claimOnce(WRITER_CLAIM, now, owner)) return owner;
  const held = await Claim.findById(WRITER_CLAIM).lean();
  if (held && now.getTime() - new Date(held.at).getTime() < POSTINGS_LEASE_MS) return null;
  // The holder stopped (crash): free its lease; of several instances doing this, one claims it.
  if (held) await Claim.deleteOne({ _id: WRITER_CLAIM, owner: held.owner });
  return (await claimOnce(WRITER_CLAIM, now, owner)) ? owner : null;
}

async function renewWriterLease(owner: string): Promise<void> {
  await Claim.updateOne({ _id: WRITER_CLAIM, owner }, { $set: { at: new Date() } });
}

async function releaseWriterLease(owner: string): Promise<void> {
  await Claim.deleteOne({ _id: WRITER_CLAIM, owner });
}

async function writePosting(gram: string, id: string, entry: PostingEntry | null): Promise<void> {
  const doc = await CreditPosting.findById(gram).lean<CreditPostingDoc | null>();
  const before = { entries: unpackEntries(doc?.d ?? ""), over: doc?.over ?? false };
  const next = applyToPosting(before, id, entry);
  if (next === before) return;
  if (next.entries.length === 0 && !next.over) await CreditPosting.deleteOne({ _id: gram });
  else await CreditPosting.replaceOne({ _id: gram }, { d: packEntries(next.entries), over: next.over }, { upsert: true });
}

/** Makes the postings follow one publication (present, renamed, refiled or gone). Idempotent. */
async function applyPublication(id: Types.ObjectId): Promise<void> {
  const pub = await CreditPublication.findOne({ _id: id })
    .setOptions({ crossTenant: true })
    .select(POSTING_SOURCE_FIELDS)
    .lean<SourceDoc | null>();
  const ref = await CreditPostingRef.findById(id).lean();
  const before = { grams: ref?.grams ?? [], entry: ref?.entry ?? null };
  const after = pub ? { grams: postingGrams(pub.search.name), entry: postingEntry(pub) } : { grams: [], entry: null };
  const { remove, put } = postingChanges(before, after);
  if (remove.length === 0 && put.length === 0) return;
  const union = [...new Set([...before.grams, ...after.grams])];
  // First record every gram that may hold an entry, so an interrupted run is finished by the next.
  if (union.length > before.grams.length) {
    await CreditPostingRef.replaceOne({ _id: id }, { grams: union, entry: after.entry ?? before.entry }, { upsert: true });
  }
  const key = String(id);
  for (const gram of remove) await writePosting(gram, key, null);
  for (const gram of put) await writePosting(gram, key, after.entry);
  if (after.entry) await CreditPostingRef.replaceOne({ _id: id }, { grams: after.grams, entry: after.entry }, { upsert: true });
  else await CreditPostingRef.deleteOne({ _id: id });
}

export type PostingsRun = { applied: number; busy: boolean };

/**
 * Applies the pending markers, if this caller gets the writer's lease (`busy` otherwise: the
 * holder or the scheduled job applies them). Stops after `maxMs` between batches.
 */
export async function runCreditPostings({ batch = 100, maxMs = 10_000 }: { batch?: number; maxMs?: number } = {}): Promise<PostingsRun> {
  await connectDb();
  const owner = await takeWriterLease();
  if (!owner) return { applied: 0, busy: true };
  const started = Date.now();
  let applied = 0;
  try {
    // Never built on this database (e.g. its first publication): build first, markers after.
    if (!(await AppMigration.exists({ _id: POSTINGS_MARK }))) await buildAll(owner);
    for (;;) {
      const changes = await CreditPostingChange.find({}).sort({ _id: 1 }).select({ publicationId: 1 }).limit(batch).lean();
      if (changes.length === 0) break;
      const ids = new Map(changes.map((c) => [String(c.publicationId), c.publicationId]));
      for (const id of ids.values()) await applyPublication(id);
      for (const c of changes) await CreditPostingChange.deleteOne({ _id: c._id });
      applied += changes.length;
      if (Date.now() - started > maxMs) break;
      await renewWriterLease(owner);
    }
  } finally {
    await releaseWriterLease(owner);
  }
  return { applied, busy: false };
}

/**
 * Builds every posting from the publications (first start after this read model, or a repair),
 * under the writer's lease. Markers already there are covered by the build and deleted; markers
 * written meanwhile are applied by the next run. Returns false when another writer holds the lease.
 */
export async function rebuildCreditPostings(): Promise<boolean> {
  await connectDb();
  const owner = await takeWriterLease();
  if (!owner) return false;
  try {
    await buildAll(owner);
  } finally {
    await releaseWriterLease(owner);
  }
  return true;
}

async function buildAll(owner: string): Promise<void> {
  await AppMigration.deleteOne({ _id: POSTINGS_MARK });
  const covered = await CreditPostingChange.find({}).sort({ _id: 1 }).select({ _id: 1 }).lean();
  const postings = new Map<string, PostingEntry[]>();
  const refs: Array<{ _id: Types.ObjectId; grams: string[]; entry: PostingEntry }> = [];
  const cursor = CreditPublication.find({})
    .setOptions({ crossTenant: true })
    .select(POSTING_SOURCE_FIELDS)
    .lean<SourceDoc[]>()
    .cursor({ batchSize: 1000 });
  for await (const pub of cursor as AsyncIterable<SourceDoc>) {
    const entry = postingEntry(pub);
    const grams = postingGrams(pub.search.name);
    for (const gram of grams) {
      const list = postings.get(gram) ?? [];
      list.push(entry);
      postings.set(gram, list);
    }
    refs.push({ _id: pub._id, grams, entry });
  }
  await renewWriterLease(owner);
  await writeBuiltPostings(postings, refs);
  for (const c of covered) await CreditPostingChange.deleteOne({ _id: c._id });
  await markCreditPostingsCurrent();
}

/** Records the postings as built (also by the bench's city seed, which writes them in bulk). */
export async function markCreditPostingsCurrent(): Promise<void> {
  await AppMigration.updateOne({ _id: POSTINGS_MARK }, { $set: { at: new Date() } }, { upsert: true });
}

/** Replaces every posting and ref with the built ones (in chunks: a posting can be 250 KB). */
export async function writeBuiltPostings(
  postings: Map<string, PostingEntry[]>,
  refs: Array<{ _id: Types.ObjectId; grams: string[]; entry: PostingEntry }>,
): Promise<void> {
  // Emptied, not dropped: a dropped table loses the embedded PostgreSQL's `_id` lookup index
  // (decision 030) until the next start. The search does not read them meanwhile (no mark).
  await CreditPosting.deleteMany({});
  await CreditPostingRef.deleteMany({});
  let chunk: Array<{ _id: string; d: string; over: boolean }> = [];
  let chunkEntries = 0;
  for (const [gram, entries] of postings) {
    const posting = builtPosting(entries);
    chunk.push({ _id: gram, d: packEntries(posting.entries), over: posting.over });
    chunkEntries += posting.entries.length + 1;
    if (chunkEntries >= 20_000) {
      await CreditPosting.insertMany(chunk, { ordered: false, lean: true });
      chunk = [];
      chunkEntries = 0;
    }
  }
  if (chunk.length > 0) await CreditPosting.insertMany(chunk, { ordered: false, lean: true });
  for (let i = 0; i < refs.length; i += 1000) await CreditPostingRef.insertMany(refs.slice(i, i + 1000), { ordered: false, lean: true });
}

/** Builds the postings once per database (a mark); later changes go through the markers. */
export async function ensureCreditPostingsCurrent(): Promise<boolean> {
  await connectDb();
  if (await AppMigration.exists({ _id: POSTINGS_MARK })) return false;
  return rebuildCreditPostings();
}

/** The scheduled job: builds the postings if they are not yet, else applies pending markers. */
export async function creditPostingsJob(): Promise<string> {
  if (await ensureCreditPostingsCurrent()) return "built";
  const run = await runCreditPostings();
  return run.busy ? "busy" : `applied ${run.applied}`;
}

// ---------------------------------------------------------------------------------------------
// The search's read

export type PostingMatch = { _id: Types.ObjectId; listedAt: Date | null };

/**
 * The publications whose normalised name contains `text` (3+ characters) and that pass the
 * filter, from one posting and the pending markers; null when the postings cannot answer (not
 * built, every tried gram over, or the writer far behind): the caller reads the publications.
 */
export async function readPostingMatches(text: string, filter: PostingFilter): Promise<PostingMatch[] | null> {
  const grams = queryPostingGrams(text).slice(0, POSTING_TRIES);
  if (grams.length === 0) return null;
  const [ready, pending, first] = await Promise.all([
    AppMigration.exists({ _id: POSTINGS_MARK }),
    CreditPostingChange.find({}).sort({ _id: 1 }).select({ publicationId: 1 }).limit(PENDING_READ_MAX + 1).lean(),
    CreditPosting.findById(grams[0]).lean<CreditPostingDoc | null>(),
  ]);
  if (!ready || pending.length > PENDING_READ_MAX) return null;
  let posting: CreditPostingDoc | null = first;
  for (let i = 1; posting?.over && i < grams.length; i++) posting = await CreditPosting.findById(grams[i]).lean<CreditPostingDoc | null>();
  if (posting?.over) return null;
  // No posting: no publication's name has this gram, so none contains the query.
  const pendingIds = new Set(pending.map((c) => String(c.publicationId)));
  const matches: PostingMatch[] = [];
  for (const e of unpackEntries(posting?.d ?? "")) {
    if (pendingIds.has(e.i) || !entryMatches(e, filter, text)) continue;
    matches.push({ _id: new Types.ObjectId(e.i), listedAt: e.a === null ? null : new Date(e.a) });
  }
  // Publications written since the postings: judged on what they are now.
  const fresh = await findByIds<SourceDoc>(CreditPublication, [...pendingIds], { select: POSTING_SOURCE_FIELDS, crossTenant: true });
  for (const pub of fresh) {
    if (entryMatches(postingEntry(pub), filter, text)) matches.push({ _id: pub._id, listedAt: pub.listedAt ?? null });
  }
  return matches;
}
