/**
 * A small, hand-designed data set for the dashboard tests: enterprises across districts,
 * industries and sizes; certificates with various statuses and validity; applications in various
 * states (some overdue); credit records in various statuses; reviewer scores on two applications.
 * Every spec row carries the plain facts the tests count with loops (no dashboard code involved).
 */
import { randomBytes } from "node:crypto";
import { Types } from "mongoose";
import { Assessment } from "../models/assessment";
import { Certificate } from "../models/certificate";
import { CreditRecord } from "../models/credit-record";
import { Enterprise } from "../models/enterprise";
import { RubricVersion } from "../models/rubric-version";
import { Tenant } from "../models/tenant";
import { getRubricVersion, importRubricFiles } from "~/data/rubrics.server";
import type { IndustryKey, SizeClass } from "~/lib/domain";
import { createMember, createTenant, randomCreditCode } from "./factories";

const DAY = 86_400_000;
/** The seed's "now": Monday 15 June 2026, 12:00 China time. */
export const SEED_NOW = new Date("2026-06-15T04:00:00.000Z");
export const TARGET = 20;

export type EntSpec = { key: string; district: string; industry: IndustryKey; size: SizeClass };
export type CertSpec = {
  ent: string;
  level: "level3" | "qualified";
  status: "active" | "suspended" | "revoked" | "expired";
  issuedAt: Date;
  validUntil: Date;
};
export type AppSpec = {
  ent: string;
  cycle: string;
  state: string;
  submitted: boolean;
  acceptBy?: Date;
  reviewBy?: Date;
  /** The truth for this row, chosen with the dates: which kind of overdue, if any. */
  overdue: "acceptance" | "review" | null;
  /** Reviewer answers "none" on every item of this element (self: all "full"). */
  reviewerZeroElement?: number;
};
export type CreditSpec = {
  ent: string | null;
  /** Link only by credit code (enterpriseId left null). */
  byCodeOnly?: boolean;
  status: "draft" | "notified" | "defenceReceived" | "decided" | "dropped" | "published" | "removed";
  condition: string;
  listedYear: number | null;
  createdAt: Date;
};

const D1 = "510104";
const D2 = "510105";
const at = (iso: string) => new Date(`${iso}T04:00:00.000Z`);

export const ENTERPRISES: EntSpec[] = [];
for (const district of [D1, D2])
  for (const industry of ["machinery", "chemical", "commerce"] as const)
    for (const size of ["medium", "small"] as const)
      ENTERPRISES.push({ key: `${district}-${industry}-${size}`, district, industry, size });

const E = (i: number) => ENTERPRISES[i]?.key ?? "";

export const CERTIFICATES: CertSpec[] = [
  // e0: an old revoked certificate (2025) and a newer active one (2026-03): the newer one is current.
  { ent: E(0), level: "qualified", status: "revoked", issuedAt: at("2025-04-10"), validUntil: at("2028-04-09") },
  { ent: E(0), level: "level3", status: "active", issuedAt: at("2026-03-02"), validUntil: at("2029-03-01") },
  { ent: E(1), level: "level3", status: "active", issuedAt: at("2026-01-20"), validUntil: new Date(SEED_NOW.getTime() + 10 * DAY) },
  { ent: E(2), level: "qualified", status: "active", issuedAt: at("2026-03-15"), validUntil: new Date(SEED_NOW.getTime() + 60 * DAY) },
  { ent: E(3), level: "qualified", status: "suspended", issuedAt: at("2026-06-01"), validUntil: at("2029-05-31") },
  // e5: stored active but past its end: effectively expired (neither expiring nor certified).
  { ent: E(5), level: "level3", status: "active", issuedAt: at("2023-06-10"), validUntil: new Date(SEED_NOW.getTime() - 5 * DAY) },
  { ent: E(6), level: "level3", status: "active", issuedAt: at("2025-11-05"), validUntil: new Date(SEED_NOW.getTime() + 85 * DAY) },
  { ent: E(7), level: "qualified", status: "revoked", issuedAt: at("2026-02-11"), validUntil: at("2029-02-10") },
  { ent: E(9), level: "qualified", status: "active", issuedAt: at("2026-06-03"), validUntil: new Date(SEED_NOW.getTime() + 29 * DAY) },
];

export const APPLICATIONS: AppSpec[] = [
  { ent: E(0), cycle: "2026", state: "certified", submitted: true, overdue: null },
  // Submitted 1 May, acceptance deadline passed long ago.
  { ent: E(1), cycle: "2026", state: "submitted", submitted: true, acceptBy: at("2026-05-08"), overdue: "acceptance" },
  { ent: E(2), cycle: "2026", state: "submitted", submitted: true, acceptBy: at("2026-06-19"), overdue: null },
  { ent: E(3), cycle: "2026", state: "reviewAssigned", submitted: true, reviewBy: at("2026-06-01"), overdue: "review" },
  { ent: E(4), cycle: "2026", state: "underReview.reviewing", submitted: true, reviewBy: at("2026-07-30"), overdue: null, reviewerZeroElement: 0 },
  // Rectification pauses the review clock: not overdue although reviewBy has passed.
  { ent: E(5), cycle: "2026", state: "underReview.rectification", submitted: true, reviewBy: at("2026-06-01"), overdue: null },
  { ent: E(6), cycle: "2026", state: "underReview.reviewing", submitted: true, reviewBy: at("2026-06-10"), overdue: "review", reviewerZeroElement: 1 },
  { ent: E(7), cycle: "2026", state: "draft", submitted: true, overdue: null },
  { ent: E(8), cycle: "2026", state: "draft", submitted: false, overdue: null },
  { ent: E(9), cycle: "2025", state: "certified", submitted: true, overdue: null },
  { ent: E(10), cycle: "2025", state: "submitted", submitted: true, acceptBy: at("2025-12-01"), overdue: "acceptance" },
  { ent: E(11), cycle: "2026", state: "rejected", submitted: true, overdue: null },
];

export const CREDITS: CreditSpec[] = [
  { ent: E(0), status: "published", condition: "c2023_major_accident", listedYear: 2026, createdAt: at("2026-01-05") },
  { ent: E(1), status: "published", condition: "c2023_no_licence", listedYear: 2026, createdAt: at("2026-02-05") },
  { ent: E(6), status: "removed", condition: "c2023_no_licence", listedYear: 2025, createdAt: at("2025-02-05") },
  { ent: E(7), byCodeOnly: true, status: "notified", condition: "c2023_concealed_accident", listedYear: null, createdAt: at("2026-05-20") },
  { ent: E(2), status: "draft", condition: "c2023_major_accident", listedYear: null, createdAt: at("2026-06-01") },
  { ent: null, status: "published", condition: "c2023_refused_penalty", listedYear: 2026, createdAt: at("2026-03-01") },
  { ent: E(9), status: "dropped", condition: "c2017_other", listedYear: null, createdAt: at("2025-12-30") },
  { ent: E(4), status: "decided", condition: "c2023_no_licence", listedYear: null, createdAt: at("2026-04-01") },
];

export type Seeded = Awaited<ReturnType<typeof seedDashboard>>;

export async function seedDashboard() {
  const tenant = await createTenant({ zh: "成都市应急管理局" });
  await Tenant.updateOne({ _id: tenant._id }, { $set: { "settings.yearlyTarget": TARGET } });
  const regulator = await createMember(tenant._id, "regulator");
  const ids = new Map<string, Types.ObjectId>();
  const codes = new Map<string, string>();
  for (const e of ENTERPRISES) {
    const code = randomCreditCode();
    const doc = await Enterprise.create({
      tenantId: tenant._id,
      name: `企业${e.key}`,
      creditCode: code,
      industry: e.industry,
      sizeClass: e.size,
      districtCode: e.district,
    });
    ids.set(e.key, doc._id);
    codes.set(e.key, code);
  }
  const spec = (key: string) => ENTERPRISES.find((x) => x.key === key);
  let seq = 0;
  for (const c of CERTIFICATES) {
    seq += 1;
    const e = spec(c.ent);
    if (!e) throw new Error(c.ent);
    await Certificate.create({
      tenantId: tenant._id,
      applicationId: new Types.ObjectId(),
      enterpriseId: ids.get(c.ent),
      number: `T-${seq}`,
      year: 2026,
      seq,
      seqKey: `certno:${String(tenant._id)}:2026:${seq}`,
      verifyCode: randomBytes(16).toString("base64url"),
      level: c.level,
      levelName: { zh: c.level === "level3" ? "三级" : "达标", en: c.level === "level3" ? "Level 3" : "Qualified" },
      enterprise: { name: `企业${c.ent}`, creditCode: codes.get(c.ent), industry: e.industry, districtCode: e.district, districtName: "" },
      issuer: { zh: "成都市应急管理局" },
      tenantName: { zh: "成都市应急管理局" },
      issuedAt: c.issuedAt,
      validUntil: c.validUntil,
      status: c.status,
    });
  }

  await importRubricFiles();
  const version = await RubricVersion.findOne({ tenantId: null, key: "small-micro" }).lean<{ _id: Types.ObjectId; key: string; version: string }>();
  if (!version) throw new Error("small-micro rubric missing");
  const loaded = await getRubricVersion({ tenantId: tenant._id, id: version._id });
  if (!loaded) throw new Error("rubric missing");
  const elements = loaded.rubric.elements.map((el) => ({
    id: el.id,
    items: el.subElements.flatMap((s) => s.items.map((i) => i.id)),
  }));
  const allItems = elements.flatMap((el) => el.items);
  const reviewerId = new Types.ObjectId();
  for (const a of APPLICATIONS) {
    const deadlines: Record<string, Date> = {};
    if (a.acceptBy) deadlines.acceptBy = a.acceptBy;
    if (a.reviewBy) deadlines.reviewBy = a.reviewBy;
    const zero = a.reviewerZeroElement === undefined ? null : elements[a.reviewerZeroElement];
    await Assessment.create({
      tenantId: tenant._id,
      enterpriseId: ids.get(a.ent),
      cycle: a.cycle,
      rubricVersionId: version._id,
      rubricKey: version.key,
      rubricVersion: version.version,
      createdBy: regulator.user._id,
      state: a.state,
      submittedAt: a.submitted ? at(`${a.cycle}-04-01`) : null,
      deadlines,
      answers: zero ? allItems.map((itemId) => ({ itemId, choice: "full" })) : [],
      review: zero
        ? {
            byReviewer: {
              [String(reviewerId)]: allItems.map((itemId) => ({ itemId, choice: zero.items.includes(itemId) ? "none" : "full" })),
            },
            summaries: { [String(reviewerId)]: { score: null, level: null, answered: allItems.length, items: allItems.length, savedAt: SEED_NOW } },
            rectifications: [],
            report: null,
          }
        : null,
    });
  }

  for (const [i, c] of CREDITS.entries()) {
    const code = c.ent ? (codes.get(c.ent) ?? "") : randomCreditCode();
    const doc = await CreditRecord.create({
      tenantId: tenant._id,
      subjectName: c.ent ? `企业${c.ent}` : `未登记企业${i}`,
      creditCode: code,
      subjectType: "enterprise",
      listType: c.condition.startsWith("c2017") ? "dishonest2017" : "serious2023",
      conditionKey: c.condition,
      state: c.status,
      status: c.status,
      enterpriseId: c.ent && !c.byCodeOnly ? ids.get(c.ent) : null,
      search: { name: `企业${i}`, code },
      listedYear: c.listedYear,
      listedAt: c.listedYear ? at(`${c.listedYear}-03-01`) : null,
    });
    await CreditRecord.collection.updateOne({ _id: doc._id }, { $set: { createdAt: c.createdAt } });
  }
  return { tenant, regulator, ids, codes, elementIds: elements.map((e) => e.id) };
}
