/**
 * The public notices (公示) read model (decision 029): `public_notices` holds one slim row per
 * application under public notice, so the public page (and the regulator's home) read a few
 * small documents by `tenantId` instead of the tenant's application documents, which carry every
 * answer (1.75 s per request at 1 % city scale before).
 *
 * Kept in step by `syncPublicNotice` after every transition (applyApplicationEvent's after-write
 * step): it re-reads the application by `_id` and writes or removes its row, so it is idempotent
 * and order-free. `reconcilePublicNotices` rebuilds the rows (start-up backfill, the deadlines
 * job), repairing a sync lost to a crash between the transition and its after-write step.
 */
import type { Types } from "mongoose";
import { Assessment, type AssessmentDoc } from "../../../models/assessment";
import { Enterprise } from "../../../models/enterprise";
import { AppMigration } from "../../../models/app-migration";
import { PublicNotice, type PublicNoticeDoc } from "../../../models/public-notice";
import { Tenant } from "../../../models/tenant";
import { connectDb } from "~/db.server";
import { cachedPublicRead } from "../public-cache.server";
import type { IndustryKey } from "~/lib/domain";
import type { LocalizedText } from "~/lib/rubric/schema";
import type { TenantScope } from "../ids.server";
import { getRubricVersion } from "../rubrics.server";

export const NOTICE_STATE = "publicNotice.running";
/** Notices per page of the public page, as the public registries (lists page by at most 100, decision 012). */
export const PUBLIC_NOTICES_PAGE = 20;

export type PublicNoticeItem = {
  id: string;
  enterpriseName: string;
  creditCode: string;
  industry: IndustryKey;
  districtCode: string;
  levelName: LocalizedText | null;
  startedAt: string | null;
  endsAt: string | null;
};

type NoticeSource = Pick<
  AssessmentDoc,
  "_id" | "tenantId" | "enterpriseId" | "rubricVersionId" | "state" | "deadlines" | "history" | "workflow" | "version"
>;

function reportedLevel(doc: NoticeSource): string | null {
  const context = doc.workflow?.context;
  return typeof context === "object" &&
    context !== null &&
    "reportedLevel" in context &&
    typeof context.reportedLevel === "string"
    ? context.reportedLevel
    : null;
}

/** The row of an application under notice (null: its enterprise is gone). */
async function buildRow(doc: NoticeSource): Promise<Omit<PublicNoticeDoc, "_id"> | null> {
  const [enterprise, rubric] = await Promise.all([
    Enterprise.findOne({ tenantId: doc.tenantId, _id: doc.enterpriseId })
      .select({ name: 1, creditCode: 1, industry: 1, districtCode: 1 })
      .lean<{ name: string; creditCode: string; industry: IndustryKey; districtCode: string }>(),
    getRubricVersion({ tenantId: doc.tenantId, id: doc.rubricVersionId }),
  ]);
  if (!enterprise) return null;
  const level = reportedLevel(doc);
  const levels = rubric?.rubric.levels ?? [];
  const started = [...doc.history].reverse().find((h) => h.event === "START_NOTICE");
  return {
    tenantId: doc.tenantId,
    enterpriseName: enterprise.name,
    creditCode: enterprise.creditCode,
    industry: enterprise.industry,
    districtCode: enterprise.districtCode ?? "",
    levelName: level ? (levels.find((l) => l.key === level)?.name ?? { zh: level }) : null,
    startedAt: started ? started.at : null,
    endsAt: doc.deadlines?.noticeEndsAt ?? null,
    version: doc.version,
  };
}

/**
 * Brings one application's row in line with the application as stored now: written while it is
 * under public notice, removed otherwise. Safe to call any number of times, in any order.
 */
export async function syncPublicNotice({
  tenantId,
  applicationId,
}: TenantScope & { applicationId: Types.ObjectId }): Promise<void> {
  await connectDb();
  const doc = await Assessment.findOne({ tenantId, _id: applicationId })
    .select({
      tenantId: 1,
      enterpriseId: 1,
      rubricVersionId: 1,
      state: 1,
      deadlines: 1,
      history: 1,
      version: 1,
      "workflow.context.reportedLevel": 1,
    })
    .lean<NoticeSource>();
  const row = doc && doc.state === NOTICE_STATE ? await buildRow(doc) : null;
  if (!row) {
    await PublicNotice.deleteOne({ tenantId, _id: applicationId });
    return;
  }
  await PublicNotice.replaceOne({ tenantId, _id: applicationId }, { _id: applicationId, ...row }, { upsert: true });
}

/** The page: one tenant's applications under public notice, the soonest end first, a page at a time. */
export function listPublicNotices({
  tenantId,
  page = 1,
}: TenantScope & { page?: number }): Promise<PublicNoticesPage> {
  // Cached per process under the notices' change stamp (decision 029): every write of a row
  // (a transition's sync, the deadlines job) shows on the next request of every instance.
  return cachedPublicRead("public-notices", `${String(tenantId)}:${page}`, () => readPublicNotices(tenantId, page));
}

export type PublicNoticesPage = { items: PublicNoticeItem[]; total: number; page: number; pageSize: number };

async function readPublicNotices(tenantId: Types.ObjectId, page: number): Promise<PublicNoticesPage> {
  await connectDb();
  const [rows, total] = await Promise.all([
    PublicNotice.find({ tenantId })
      .sort({ endsAt: 1, _id: 1 })
      .skip((page - 1) * PUBLIC_NOTICES_PAGE)
      .limit(PUBLIC_NOTICES_PAGE)
      .lean<PublicNoticeDoc[]>(),
    // Slim rows, one per application under notice (a few hundred in a city at most).
    PublicNotice.countDocuments({ tenantId }),
  ]);
  const items = rows.map((r) => ({
    id: String(r._id),
    enterpriseName: r.enterpriseName,
    creditCode: r.creditCode,
    industry: r.industry,
    districtCode: r.districtCode,
    levelName: r.levelName ? { zh: r.levelName.zh, ...(r.levelName.en ? { en: r.levelName.en } : {}) } : null,
    startedAt: r.startedAt ? r.startedAt.toISOString() : null,
    endsAt: r.endsAt ? r.endsAt.toISOString() : null,
  }));
  return { items, total, page, pageSize: PUBLIC_NOTICES_PAGE };
}

/**
 * Rebuilds the rows: every application under notice (by `state`, across tenants) gets its row,
 * and every row whose application left the notice is removed. Returns the rows written.
 */
export async function reconcilePublicNotices(): Promise<number> {
  await connectDb();
  const running = await Assessment.find({ state: NOTICE_STATE })
    .setOptions({ crossTenant: true })
    .select({ tenantId: 1 })
    .lean<Array<{ _id: Types.ObjectId; tenantId: Types.ObjectId }>>();
  const tenants = await Tenant.find({}).select({ _id: 1 }).lean<Array<{ _id: Types.ObjectId }>>();
  const stale: Array<{ _id: Types.ObjectId; tenantId: Types.ObjectId }> = [];
  for (const t of tenants) {
    const rows = await PublicNotice.find({ tenantId: t._id }).select({ tenantId: 1 }).lean<Array<{ _id: Types.ObjectId; tenantId: Types.ObjectId }>>();
    stale.push(...rows);
  }
  const seen = new Set<string>();
  for (const a of [...running, ...stale]) {
    if (seen.has(String(a._id))) continue;
    seen.add(String(a._id));
    await syncPublicNotice({ tenantId: a.tenantId, applicationId: a._id });
  }
  return running.length;
}

const READ_MODEL_MARK = "public-notices:1";

/** Start-up backfill, once per database (a mark in `app_migrations`, read by `_id`). */
export async function ensurePublicNoticesCurrent(): Promise<boolean> {
  await connectDb();
  if (await AppMigration.exists({ _id: READ_MODEL_MARK })) return false;
  await reconcilePublicNotices();
  await AppMigration.updateOne({ _id: READ_MODEL_MARK }, { $set: { at: new Date() } }, { upsert: true });
  return true;
}
