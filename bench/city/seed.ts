/**
 * The city-scale scenario (issue 13): tenant `chengdu` with the demo data plus 10,000 enterprises,
 * 20,000 accounts and memberships, 3,000 applications with full answers over three cycles, 2,000
 * certificates, 1,000 credit records, 100,000 credit publications (three cities) and 100,000
 * audit events — all multiplied by BENCH_SCALE (default 1).
 *
 * Seeded once into the bench database and REUSED by later runs while the seed version and scale
 * match (a marker document in `bench_meta`); otherwise the database is dropped and seeded again.
 * Every document goes in through the app's models (insertMany: validation, defaults), the
 * applications and credit records are clones of documents the app's own functions wrote, and the
 * read models are filled by the app's own functions (credit publications, dashboard snapshot).
 */
import mongoose, { type Types } from "mongoose";
import { Assessment } from "../../models/assessment";
import { AuditEvent } from "../../models/audit-event";
import { ReviewBody } from "../../models/review-body";
import { Tenant } from "../../models/tenant";
import { User } from "../../models/user";
import { ensureIndexes } from "../../models/index";
import { computeDashboardSnapshot } from "../../app/data/dashboard.server";
import { reconcilePublicNotices } from "../../app/data/grading/public-notices.server";
import { markCreditPublicationsCurrent } from "../../app/data/credit-publication.server";
import { ensureAuditLogCurrent } from "../../app/data/audit.server";
import { chinaMonth } from "../../app/lib/month-buckets";
import { importRubricFiles } from "../../app/data/rubrics.server";
import { DEMO_PASSWORD, seedDemoData } from "../../scripts/lib/seed";
import { DEMO_BODY_ADMIN } from "../../scripts/lib/seed-review-body";
import { seedApplications, seedCertificates } from "./applications";
import { seedCredit } from "./credit";
import { CITY_PASSWORD, cityAdminEmail, seedPeople } from "./people";
import { insertGenerated, nameSearchFragments, picker, rng } from "./synthetic";
import { buildApplicationTemplates, type Actor } from "./templates";

/** Bump when the scenario's content changes: a database seeded by another version is seeded again. */
export const CITY_SEED_VERSION = 2;
const YEAR = 365 * 86_400_000;

export type CityCounts = {
  enterprises: number;
  users: number;
  applications: number;
  certificates: number;
  creditRecords: number;
  creditPublications: number;
  auditEvents: number;
};

export function cityCounts(scale: number): CityCounts {
  const n = (full: number, min: number) => Math.max(min, Math.round(full * scale));
  const enterprises = n(10_000, 40);
  return {
    enterprises,
    users: enterprises * 2,
    applications: Math.min(enterprises, n(3_000, 30)),
    certificates: n(2_000, 10),
    creditRecords: n(1_000, 20),
    creditPublications: n(100_000, 100),
    auditEvents: n(100_000, 100),
  };
}

export type Login = { email: string; password: string };
export type City = {
  version: number;
  scale: number;
  counts: CityCounts;
  seededAt: string;
  seedSeconds: number;
  slug: string;
  tenantId: string;
  logins: { regulator: Login; reviewer: Login; tenantAdmin: Login; enterpriseAdmin: Login };
  /** Documents the pages open: the draft belongs to `logins.enterpriseAdmin`, the review is assigned to `logins.reviewer`. */
  draftApplicationId: string;
  draftElementId: string;
  reviewApplicationId: string;
  verifyCode: string;
  registryQueries: string[];
};

const META = "bench_meta";
// By applicationPlan(): enterprise 2's application is a current draft, enterprise 11's is under review.
const DRAFT_ENTERPRISE = 2;
const REVIEW_ENTERPRISE = 11;

async function applicationOf(tenantId: Types.ObjectId, enterpriseId: Types.ObjectId | undefined, state: string): Promise<string> {
  const doc = await Assessment.findOne({ tenantId, enterpriseId }).select({ state: 1 }).lean<{ _id: Types.ObjectId; state: string }>();
  if (!doc?.state.startsWith(state)) throw new Error(`city seed: expected a ${state} application, found ${doc?.state ?? "none"}`);
  return String(doc._id);
}

async function actorOf(email: string, role: Actor["role"], enterpriseId: Types.ObjectId | null = null): Promise<Actor> {
  const user = await User.findOne({ email }).select({ _id: 1 }).lean<{ _id: Types.ObjectId }>();
  if (!user) throw new Error(`city seed: ${email} missing`);
  return { userId: user._id, email, role, enterpriseId };
}

export async function seedCity(input: { scale: number; now: Date; log: (line: string) => void }): Promise<City> {
  const started = performance.now();
  const counts = cityCounts(input.scale);
  const progress = (line: string) => input.log(`  seed: ${line} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
  const { now } = input;
  await ensureIndexes();
  await importRubricFiles();
  const demo = await seedDemoData();
  if (!demo.seeded) throw new Error(`city seed needs an empty database (${demo.reason ?? ""})`);
  const tenant = await Tenant.findOne({ slug: "chengdu" }).lean();
  if (!tenant) throw new Error("city seed: demo tenant missing");
  const tenantId = tenant._id;
  const since = new Date(now.getTime() - 3 * YEAR);

  const people = await seedPeople({ tenantId, districts: tenant.districts, enterprises: counts.enterprises, since, progress });
  const enterpriseAdmin: Actor = { userId: people.adminIds[0] as Types.ObjectId, email: cityAdminEmail(0), role: "enterprise_admin", enterpriseId: people.enterprises[0]?._id ?? null };
  const templates = await buildApplicationTemplates({
    tenantId,
    enterpriseId: people.enterprises[0]?._id as Types.ObjectId,
    enterpriseAdmin,
    regulator: await actorOf("regulator@demo.safegrade.cn", "regulator"),
    reviewers: [await actorOf("reviewer@demo.safegrade.cn", "reviewer"), await actorOf("reviewer2@demo.safegrade.cn", "reviewer")],
    reviewBodyId: (await ReviewBody.findOne({ tenantId }).select({ _id: 1 }).lean<{ _id: Types.ObjectId }>())?._id as Types.ObjectId,
    bodyAdmin: await actorOf(DEMO_BODY_ADMIN.email, "review_body_admin"),
    now,
  });
  progress("template application driven through the workflow");
  const apps = await seedApplications({ tenantId, people, templates, applications: counts.applications, now, progress });
  await seedCertificates({ tenantId, people, templates, certified: apps.certified, certificates: counts.certificates, progress });
  await seedCredit({ tenantId, people, records: counts.creditRecords, publications: counts.creditPublications, progress });

  const pick = picker(rng(23));
  const actions = ["login.success", "login.success", "login.success", "logout", "login.failure", "application.SUBMIT", "application.ACCEPT", "certificate.issued", "enterprise.created", "profile.updated", "password.changed", "credit.PUBLISH"];
  await insertGenerated(AuditEvent, counts.auditEvents, (i) => {
    const e = i % counts.enterprises;
    const at = new Date(since.getTime() + Math.floor((i / counts.auditEvents) * 3 * YEAR));
    return {
      tenantId,
      at,
      month: chinaMonth(at),
      action: pick(actions),
      actorId: people.adminIds[e],
      actorEmail: cityAdminEmail(e),
      ip: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      targetType: "enterprise",
      targetId: String(people.enterprises[e]?._id),
      targetLabel: people.enterprises[e]?.name ?? "",
      details: {},
    };
  }, { batch: 5000, lean: true, onBatch: (n) => n % 25_000 === 0 && progress(`audit events ${n}/${counts.auditEvents}`) });

  // Read models the app keeps: the dashboard's per-tenant counters (the 10-minute job's work).
  await computeDashboardSnapshot({ tenantId, now });
  progress("dashboard snapshot computed");
  // The public notices' rows (decision 029) for the cloned applications under notice.
  await reconcilePublicNotices();
  // Every publication was written in the current shape: the app's start-up backfill has nothing to do.
  await markCreditPublicationsCurrent();
  // The events carry their month; this fills the tenant's action list and sets the mark (decision 034).
  await ensureAuditLogCurrent();
  // The per-user access documents (decision 010) follow the memberships through the Membership
  // model's insertMany hook, so the bulk insert above filled them too.

  const city: City = {
    version: CITY_SEED_VERSION,
    scale: input.scale,
    counts,
    seededAt: now.toISOString(),
    seedSeconds: Math.round((performance.now() - started) / 1000),
    slug: "chengdu",
    tenantId: String(tenantId),
    logins: {
      regulator: { email: "regulator@demo.safegrade.cn", password: DEMO_PASSWORD },
      reviewer: { email: "reviewer@demo.safegrade.cn", password: DEMO_PASSWORD },
      tenantAdmin: { email: "admin@demo.safegrade.cn", password: DEMO_PASSWORD },
      enterpriseAdmin: { email: cityAdminEmail(DRAFT_ENTERPRISE), password: CITY_PASSWORD },
    },
    draftApplicationId: await applicationOf(tenantId, people.enterprises[DRAFT_ENTERPRISE]?._id, "draft"),
    draftElementId: templates.draft.answers[0]?.itemId.split(".")[0] ?? "",
    reviewApplicationId: await applicationOf(tenantId, people.enterprises[REVIEW_ENTERPRISE]?._id, "underReview"),
    verifyCode: templates.certificate.verifyCode,
    registryQueries: nameSearchFragments(12),
  };
  await mongoose.connection.db?.collection<City & { _id: string }>(META).updateOne({ _id: "city" }, { $set: city }, { upsert: true });
  return city;
}

/**
 * The scenario in the connected database: reused when a previous run seeded the same version at
 * the same scale (and `reseed` is not asked), otherwise the database is emptied and seeded anew.
 */
export async function openCity(input: { scale: number; reseed: boolean; log: (line: string) => void }): Promise<{ city: City; reused: boolean }> {
  const db = mongoose.connection.db;
  if (!db) throw new Error("city seed: not connected");
  const meta = await db.collection<City & { _id: string }>(META).findOne({ _id: "city" });
  if (!input.reseed && meta?.version === CITY_SEED_VERSION && meta.scale === input.scale) {
    const { _id, ...city } = meta;
    void _id;
    return { city, reused: true };
  }
  if (meta || (await Tenant.estimatedDocumentCount()) > 0) {
    input.log(`  seed: dropping the previous bench data (version ${meta?.version ?? "?"}, scale ${meta?.scale ?? "?"})`);
    await db.dropDatabase();
  }
  return { city: await seedCity({ scale: input.scale, now: new Date(), log: input.log }), reused: false };
}
