/**
 * The regulator's dashboard (Step 8): every figure for one tenant, with filters for year, district,
 * industry and size class.
 *
 * Freshness model. FerretDB is slow at counting over 100k documents, so nothing here aggregates at
 * request time. `computeDashboardSnapshot` reads the tenant's enterprises, applications,
 * certificates and credit records once and stores fine-grained counters, each keyed by the
 * enterprise SEGMENT (district × industry × size class) and, where it matters, year/state/status,
 * in one `dashboard_snapshots` document per tenant. `dashboardFigures` applies any filter
 * combination to those counters in memory. Snapshots are recomputed
 * - by the `dashboard-snapshots` job every 10 minutes (one instance per slot: the scheduler claims it),
 * - on demand when a tenant has none, or it is older than `STALE_AFTER_MS` (in the background;
 *   the stale figures are shown meanwhile, labelled with their time),
 * - when a regulator presses "refresh" (synchronously, at most once per 15 s per tenant: claimOnce).
 * Each app instance keeps the last loaded snapshot in memory and re-reads it only when the stored
 * `computedAt` changed (one indexed read of a tiny projection per request).
 */
import type { Types } from "mongoose";
import { Assessment, type AssessmentDoc } from "../../models/assessment";
import { Certificate } from "../../models/certificate";
import { CreditRecord } from "../../models/credit-record";
import { gunzipSync, gzipSync } from "node:zlib";
import { Types as MongooseTypes } from "mongoose";
import { DashboardSnapshot, DashboardSnapshotData } from "../../models/dashboard-snapshot";
import { Enterprise } from "../../models/enterprise";
import { Tenant } from "../../models/tenant";
import { connectDb } from "~/db.server";
import { toScoringAnswers } from "~/lib/assessment/answers";
import { effectiveStatus, shanghaiDay } from "~/lib/certificate";
import { CREDIT_CONDITION_KEYS, CREDIT_STATUSES } from "~/lib/credit";
import { INDUSTRY_KEYS, SIZE_CLASSES, type IndustryKey, type SizeClass } from "~/lib/domain";
import { scoreAssessment } from "~/lib/scoring/engine";
import { logger } from "~/logger.server";
import { tenantWorkingCalendar } from "~/workflows/statutory-calendar";
import { addWorkingDays, type WorkingCalendar } from "~/workflows/working-days";
import { loadAssessmentRubric } from "./assessments.server";
import { claimOnce } from "./cas.server";
import { districtOptions } from "./enterprises.server";
import type { TenantScope } from "./ids.server";
import type { TenantView } from "./tenants.server";
import { inDistrictScope, type DistrictScoped } from "~/lib/district-scope";
import { targetInView, yearlyTargetsOf } from "~/lib/yearly-targets";
import { parseIntParam } from "~/lib/http/int-param";

export const SNAPSHOT_FORMAT = 2;
/** The job's interval; a snapshot older than STALE_AFTER_MS is recomputed on the next view. */
export const SNAPSHOT_INTERVAL_MS = 10 * 60 * 1000;
export const STALE_AFTER_MS = 15 * 60 * 1000;
/** Superseded data documents are deleted after this long (readers of an older head still find theirs). */
const DATA_GRACE_MS = 30 * 60 * 1000;
/** Overdue applications kept in a snapshot (the most overdue first); counts stay exact. */
export const MAX_OVERDUE_KEPT = 2000;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Snapshot shape (plain JSON; tuples keep 100k-record tenants small)

/** [districtCode, industry, sizeClass]; index -1 = no enterprise (e.g. an unregistered credit subject). */
export type Segment = [string, string, string];
export type OverdueKind = "acceptance" | "review";
export type OverdueEntry = {
  id: string;
  seg: number;
  enterpriseName: string;
  creditCode: string;
  cycle: string;
  state: string;
  kind: OverdueKind;
  deadline: string;
};

export type SnapshotData = {
  segs: Segment[];
  /** [seg, level ("" = never certified), certificate status ("" = none), count] */
  enterprises: Array<[number, string, string, number]>;
  /** level key → name */
  levelNames: Record<string, { zh: string; en: string }>;
  /** [seg, cycle, state, count] of submitted applications */
  applications: Array<[number, string, string, number]>;
  overdue: OverdueEntry[];
  /** [seg, kind, count] */
  overdueCounts: Array<[number, OverdueKind, number]>;
  /** [seg, expiring within 30 days, within 90 days] of active certificates */
  expiring: Array<[number, number, number]>;
  /** [seg, year, status, count] and [seg, year, conditionKey, count] (the page never crosses them). */
  creditStatus: Array<[number, number, string, number]>;
  creditCondition: Array<[number, number, string, number]>;
  /** [seg, year, month 1–12, count] of issued certificates */
  certified: Array<[number, number, number, number]>;
  /**
   * [seg, year, month, count] of FIRST-TIME certifications (the enterprise's first certificate in
   * the tenant) and [seg, year, count] of later ones (renewals, re-certification): yearly targets
   * count only the first (Step 12).
   */
  firstCertified: Array<[number, number, number, number]>;
  renewed: Array<[number, number, number]>;
  /** [seg, cycle, elementId, sum of (self % − reviewer %), applications] */
  gaps: Array<[number, string, string, number, number]>;
  elementTitles: Record<string, { zh: string; en: string }>;
};

export type Snapshot = { computedAt: Date; tookMs: number; data: SnapshotData };

function segKey(d: string, i: string, s: string): string {
  return `${d}\u0001${i}\u0001${s}`;
}

class Counter<K extends unknown[]> {
  private readonly map = new Map<string, { key: K; n: number }>();
  add(key: K, n = 1): void {
    const k = JSON.stringify(key);
    const hit = this.map.get(k);
    if (hit) hit.n += n;
    else this.map.set(k, { key, n });
  }
  rows(): Array<[...K, number]> {
    return [...this.map.values()].map((v) => [...v.key, v.n] as [...K, number]);
  }
}

function yearOf(at: Date): number {
  return shanghaiDay(at).year;
}

type TenantForSnapshot = Pick<TenantView, "_id" | "settings" | "districts" | "regionCode" | "name">;

/** Reads everything once and counts it (the expensive part; runs in the job or on demand). */
export async function buildSnapshotData(
  tenant: TenantForSnapshot,
  now: Date,
  timings: Record<string, number> = {},
): Promise<SnapshotData> {
  await connectDb();
  let last = performance.now();
  const mark = (phase: string) => {
    const at = performance.now();
    timings[phase] = at - last;
    last = at;
  };
  const tenantId = tenant._id;
  const segs: Segment[] = [];
  const segIndex = new Map<string, number>();
  const segOf = (d: string, i: string, s: string): number => {
    const k = segKey(d, i, s);
    let idx = segIndex.get(k);
    if (idx === undefined) {
      idx = segs.length;
      segs.push([d, i, s]);
      segIndex.set(k, idx);
    }
    return idx;
  };

  const enterprises = await Enterprise.find({ tenantId })
    .select({ districtCode: 1, industry: 1, sizeClass: 1, creditCode: 1, name: 1 })
    .lean<Array<{ _id: Types.ObjectId; districtCode: string; industry: string; sizeClass: string; creditCode: string; name: string }>>();
  const entSeg = new Map<string, number>();
  const entByCode = new Map<string, string>();
  const entInfo = new Map<string, { name: string; creditCode: string }>();
  for (const e of enterprises) {
    const id = String(e._id);
    entSeg.set(id, segOf(e.districtCode, e.industry, e.sizeClass));
    entByCode.set(e.creditCode, id);
    entInfo.set(id, { name: e.name, creditCode: e.creditCode });
  }
  mark("enterprises");

  // Certificates: current certificate per enterprise (latest issue), expiring, issued per month.
  const certs = await Certificate.find({ tenantId })
    .select({ enterpriseId: 1, level: 1, levelName: 1, status: 1, validUntil: 1, issuedAt: 1, enterprise: 1 })
    .lean<
      Array<{
        enterpriseId: Types.ObjectId;
        level: string;
        levelName: { zh: string; en: string };
        status: "active" | "suspended" | "revoked" | "expired";
        validUntil: Date;
        issuedAt: Date;
        enterprise: { districtCode: string; industry: string };
      }>
    >();
  const levelNames: Record<string, { zh: string; en: string }> = {};
  const current = new Map<string, (typeof certs)[number]>();
  const certified = new Counter<[number, number, number]>();
  const expiring = new Map<number, [number, number]>();
  const firstCertified = new Counter<[number, number, number]>();
  const renewed = new Counter<[number, number]>();
  const firstIssue = new Map<string, number>();
  const firstCounted = new Set<string>();
  for (const c of certs) {
    const id = String(c.enterpriseId);
    firstIssue.set(id, Math.min(firstIssue.get(id) ?? Infinity, c.issuedAt.getTime()));
  }
  for (const c of certs) {
    levelNames[c.level] ??= { zh: c.levelName.zh, en: c.levelName.en || c.levelName.zh };
    const id = String(c.enterpriseId);
    const prev = current.get(id);
    if (!prev || prev.issuedAt.getTime() < c.issuedAt.getTime()) current.set(id, c);
    const seg = entSeg.get(id) ?? segOf(c.enterprise.districtCode, c.enterprise.industry, "");
    const day = shanghaiDay(c.issuedAt);
    certified.add([seg, day.year, day.month]);
    if (firstIssue.get(id) === c.issuedAt.getTime() && !firstCounted.has(id)) {
      firstCounted.add(id);
      firstCertified.add([seg, day.year, day.month]);
    } else renewed.add([seg, day.year]);
    if (effectiveStatus(c, now) === "active") {
      const left = c.validUntil.getTime() - now.getTime();
      if (left >= 0 && left <= 90 * DAY_MS) {
        const row = expiring.get(seg) ?? [0, 0];
        if (left <= 30 * DAY_MS) row[0] += 1;
        row[1] += 1;
        expiring.set(seg, row);
      }
    }
  }
  const entCounter = new Counter<[number, string, string]>();
  for (const e of enterprises) {
    const id = String(e._id);
    const c = current.get(id);
    entCounter.add([entSeg.get(id) ?? -1, c?.level ?? "", c ? effectiveStatus(c, now) : ""]);
  }
  mark("certificates");

  // Applications (submitted at least once), overdue ones.
  const apps = await Assessment.find({ tenantId, submittedAt: { $ne: null } })
    .select({ enterpriseId: 1, cycle: 1, state: 1, submittedAt: 1, deadlines: 1, "review.summaries": 1 })
    .lean<
      Array<
        Pick<AssessmentDoc, "_id" | "enterpriseId" | "cycle" | "state" | "submittedAt" | "deadlines"> & {
          review?: { summaries?: Record<string, unknown> } | null;
        }
      >
    >();
  const appCounter = new Counter<[number, string, string]>();
  const overdueCounter = new Counter<[number, OverdueKind]>();
  const overdue: OverdueEntry[] = [];
  const calendar = tenantWorkingCalendar(tenant.settings);
  const reviewed: Types.ObjectId[] = [];
  for (const a of apps) {
    const id = String(a.enterpriseId);
    const seg = entSeg.get(id) ?? -1;
    appCounter.add([seg, a.cycle, a.state]);
    const o = overdueOf(a, tenant.settings.acceptanceDays, calendar, now);
    if (o) {
      overdueCounter.add([seg, o.kind]);
      const info = entInfo.get(id);
      overdue.push({
        id: String(a._id),
        seg,
        enterpriseName: info?.name ?? "",
        creditCode: info?.creditCode ?? "",
        cycle: a.cycle,
        state: a.state,
        kind: o.kind,
        deadline: o.deadline.toISOString(),
      });
    }
    if (a.review?.summaries && Object.keys(a.review.summaries).length > 0) reviewed.push(a._id);
  }
  overdue.sort((x, y) => x.deadline.localeCompare(y.deadline) || x.id.localeCompare(y.id));
  mark("applications");

  // Self-score vs reviewer gap per rubric element (only applications with reviewer scores).
  const gaps = new Counter<[number, string, string]>();
  const gapSums = new Map<string, number>();
  const elementTitles: Record<string, { zh: string; en: string }> = {};
  for (let i = 0; i < reviewed.length; i += 200) {
    const batch = await Assessment.find({ tenantId, _id: { $in: reviewed.slice(i, i + 200) } })
      .select({ enterpriseId: 1, cycle: 1, answers: 1, performance: 1, review: 1, rubricVersionId: 1, weightProfileKey: 1 })
      .lean<AssessmentDoc[]>();
    for (const doc of batch) {
      const perElement = await elementGaps(tenantId, doc, elementTitles);
      const seg = entSeg.get(String(doc.enterpriseId)) ?? -1;
      for (const [elementId, gap] of perElement) {
        const key: [number, string, string] = [seg, doc.cycle, elementId];
        gaps.add(key);
        const k = JSON.stringify(key);
        gapSums.set(k, (gapSums.get(k) ?? 0) + gap);
      }
    }
  }

  mark("gaps");
  // Credit records: linked by enterprise id, or by credit code to a registered enterprise.
  const credits = await CreditRecord.find({ tenantId })
    .select({ enterpriseId: 1, creditCode: 1, status: 1, conditionKey: 1, listedYear: 1, createdAt: 1 })
    .lean<
      Array<{
        enterpriseId: Types.ObjectId | null;
        creditCode: string;
        status: string;
        conditionKey: string;
        listedYear: number | null;
        createdAt: Date;
      }>
    >();
  const creditStatus = new Counter<[number, number, string]>();
  const creditCondition = new Counter<[number, number, string]>();
  for (const r of credits) {
    const ent = r.enterpriseId ? String(r.enterpriseId) : entByCode.get(r.creditCode);
    const seg = ent ? (entSeg.get(ent) ?? -1) : -1;
    const year = creditYear(r);
    creditStatus.add([seg, year, r.status]);
    creditCondition.add([seg, year, r.conditionKey]);
  }
  mark("credit");

  return {
    segs,
    enterprises: entCounter.rows(),
    levelNames,
    applications: appCounter.rows(),
    overdue: overdue.slice(0, MAX_OVERDUE_KEPT),
    overdueCounts: overdueCounter.rows(),
    expiring: [...expiring.entries()].map(([seg, [d30, d90]]) => [seg, d30, d90]),
    creditStatus: creditStatus.rows(),
    creditCondition: creditCondition.rows(),
    certified: certified.rows(),
    firstCertified: firstCertified.rows(),
    renewed: renewed.rows(),
    gaps: gaps.rows().map(([seg, cycle, el, n]) => [seg, cycle, el, gapSums.get(JSON.stringify([seg, cycle, el])) ?? 0, n]),
    elementTitles,
  };
}

/** The year a credit record counts in: its listing year, else the year it was created. */
export function creditYear(r: { listedYear: number | null; createdAt: Date }): number {
  return r.listedYear ?? yearOf(r.createdAt);
}

/**
 * Overdue rule: acceptance — still `submitted` after its `acceptBy` deadline (`acceptanceDays`
 * working days from the submission); review — reviewers assigned or reviewing past the running `reviewBy` deadline
 * (rectification pauses the review clock, so it is not overdue review).
 */
export function overdueOf(
  a: Pick<AssessmentDoc, "state" | "submittedAt" | "deadlines">,
  acceptanceDays: number,
  calendar: WorkingCalendar,
  now: Date,
): { kind: OverdueKind; deadline: Date } | null {
  if ((a.state === "submitted" || a.state === "renewalCheck") && a.submittedAt) {
    // The running deadline set at submission; computed from the setting for records without one.
    const stored = a.deadlines?.acceptBy;
    const deadline = stored ? new Date(stored) : addWorkingDays(a.submittedAt, acceptanceDays, calendar);
    return deadline.getTime() < now.getTime() ? { kind: "acceptance", deadline } : null;
  }
  if (a.state === "reviewAssigned" || a.state === "underReview.reviewing") {
    const raw = a.deadlines?.reviewBy;
    if (!raw) return null;
    const deadline = new Date(raw);
    return deadline.getTime() < now.getTime() ? { kind: "review", deadline } : null;
  }
  return null;
}

async function elementGaps(
  tenantId: Types.ObjectId,
  doc: AssessmentDoc,
  titles: Record<string, { zh: string; en: string }>,
): Promise<Array<[string, number]>> {
  // The consolidated sheet (Step 10); applications reviewed before it kept one sheet per reviewer.
  const sheet = doc.review?.sheet?.answers;
  const byReviewer = doc.review?.byReviewer ?? {};
  const reviewers = sheet ? [sheet] : Object.values(byReviewer).filter((answers) => answers.length > 0);
  if (reviewers.length === 0) return [];
  let loaded;
  try {
    loaded = await loadAssessmentRubric({ tenantId, assessment: doc });
  } catch (error) {
    logger.warn({ err: error, id: String(doc._id) }, "dashboard: rubric of an application missing");
    return [];
  }
  const score = (answers: Parameters<typeof toScoringAnswers>[0]) =>
    scoreAssessment({
      rubric: loaded.rubric,
      weights: loaded.weights,
      answers: toScoringAnswers(answers, doc.performance),
      maxCandidates: 0,
    }).elements;
  const self = score(doc.answers);
  const reviewerElements = reviewers.map((answers) => score(answers));
  const out: Array<[string, number]> = [];
  for (const el of self) {
    if (el.percentage === null) continue;
    const others = reviewerElements
      .map((els) => els.find((x) => x.id === el.id)?.percentage ?? null)
      .filter((p): p is number => p !== null);
    if (others.length === 0) continue;
    const mean = others.reduce((s, p) => s + p, 0) / others.length;
    titles[el.id] ??= { zh: el.title.zh, en: el.title.en || el.title.zh };
    out.push([el.id, el.percentage - mean]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Storage, in-memory cache and freshness

const memory = new Map<string, Snapshot>();

async function tenantForSnapshot(tenantId: Types.ObjectId): Promise<TenantForSnapshot | null> {
  return Tenant.findOne({ _id: tenantId })
    .select({ settings: 1, districts: 1, regionCode: 1, name: 1 })
    .lean<TenantForSnapshot>();
}

/** Computes and stores the tenant's snapshot now (whoever calls it; callers claim first). */
export async function computeDashboardSnapshot({
  tenantId,
  now = new Date(),
  timings,
}: TenantScope & { now?: Date; timings?: Record<string, number> }): Promise<Snapshot> {
  await connectDb();
  const tenant = await tenantForSnapshot(tenantId);
  if (!tenant) throw new Error(`tenant ${String(tenantId)} not found`);
  const started = Date.now();
  const data = await buildSnapshotData(tenant, now, timings);
  const tookMs = Date.now() - started;
  // Data first, then the head that points to it. Two instances computing at once each write a
  // complete data document; the head ends on one of them. Old data documents are removed only
  // after a grace period, so a reader that just read an older head still finds its data.
  const dataId = new MongooseTypes.ObjectId();
  await DashboardSnapshotData.create({ _id: dataId, tenantId, data: gzipSync(JSON.stringify(data)) });
  await DashboardSnapshot.updateOne(
    { tenantId },
    { $set: { format: SNAPSHOT_FORMAT, computedAt: now, tookMs, dataId, totals: snapshotTotals(data) } },
    { upsert: true },
  );
  await DashboardSnapshotData.deleteMany({
    tenantId,
    _id: { $ne: dataId },
    createdAt: { $lt: new Date(Date.now() - DATA_GRACE_MS) },
  });
  const snapshot = { computedAt: now, tookMs, data };
  memory.set(String(tenantId), snapshot);
  return snapshot;
}

/** Whole-tenant totals stored on the head (the platform admin's tenant list reads only heads). */
export function snapshotTotals(data: SnapshotData): { enterprises: number; applications: number; certificates: number } {
  const sum = (rows: Array<readonly unknown[]>) => rows.reduce((n, r) => n + Number(r[r.length - 1]), 0);
  return { enterprises: sum(data.enterprises), applications: sum(data.applications), certificates: sum(data.certified) };
}

async function readStored(tenantId: Types.ObjectId, atLeast?: Date): Promise<Snapshot | null> {
  const head = await DashboardSnapshot.findOne({ tenantId })
    .select({ computedAt: 1, format: 1, tookMs: 1, dataId: 1 })
    .lean<{ computedAt: Date; format: number; tookMs: number; dataId: Types.ObjectId }>();
  if (!head || head.format !== SNAPSHOT_FORMAT) return null;
  const key = String(tenantId);
  const cached = memory.get(key);
  if (cached && cached.computedAt.getTime() === head.computedAt.getTime()) return cached;
  const recentEnough = !atLeast || (cached !== undefined && cached.computedAt.getTime() >= atLeast.getTime());
  if (cached && recentEnough && cached.computedAt.getTime() > head.computedAt.getTime() - SWAP_IN_BACKGROUND_MS) {
    // A newer snapshot exists: this request still gets the copy in memory (minutes old at most),
    // the next ones the new one, so no viewer waits for reading and parsing the new data.
    if (!swapping.has(key)) {
      swapping.add(key);
      void loadData(tenantId, head)
        .catch((error: unknown) => logger.error({ err: error, tenantId: key }, "dashboard snapshot load failed"))
        .finally(() => swapping.delete(key));
    }
    return cached;
  }
  return (await loadData(tenantId, head)) ?? cached ?? null;
}

const swapping = new Set<string>();
/** How much older than the stored snapshot the in-memory copy may be and still be served while the new one loads. */
const SWAP_IN_BACKGROUND_MS = 30 * 60 * 1000;

async function loadData(
  tenantId: Types.ObjectId,
  head: { computedAt: Date; tookMs: number; dataId: Types.ObjectId },
): Promise<Snapshot | null> {
  const doc = await DashboardSnapshotData.findOne({ tenantId, _id: head.dataId }).lean<{ data: Buffer | { buffer: Buffer } }>();
  if (!doc) return null;
  const bytes = Buffer.isBuffer(doc.data) ? doc.data : Buffer.from(doc.data.buffer);
  const snapshot = {
    computedAt: head.computedAt,
    tookMs: head.tookMs,
    data: JSON.parse(gunzipSync(bytes).toString("utf8")) as SnapshotData,
  };
  memory.set(String(tenantId), snapshot);
  return snapshot;
}

/** Drops this instance's in-memory copies (the next view re-reads the stored snapshot). */
export function forgetCachedSnapshots(): void {
  memory.clear();
}

const background = new Set<string>();
const firstComputations = new Map<string, Promise<Snapshot>>();

/**
 * The snapshot to show: the stored one (recomputed in the background when stale), or a fresh one
 * computed now when the tenant has none yet.
 */
export async function getDashboardSnapshot({
  tenantId,
  now = new Date(),
  atLeast,
}: TenantScope & {
  now?: Date;
  /** Right after a refresh (possibly on another instance): do not serve an older copy from memory. */
  atLeast?: Date;
}): Promise<Snapshot> {
  await connectDb();
  const stored = await readStored(tenantId, atLeast);
  if (!stored) {
    // First view of a tenant without a snapshot (normally the job made one): compute it now, once
    // per instance however many requests wait for it.
    const key = String(tenantId);
    let running = firstComputations.get(key);
    if (!running) {
      running = computeDashboardSnapshot({ tenantId, now }).finally(() => firstComputations.delete(key));
      firstComputations.set(key, running);
    }
    return running;
  }
  if (now.getTime() - stored.computedAt.getTime() > STALE_AFTER_MS && !background.has(String(tenantId))) {
    const key = String(tenantId);
    background.add(key);
    void (async () => {
      try {
        if (await claimOnce(`dashboard:${key}:${Math.floor(now.getTime() / SNAPSHOT_INTERVAL_MS)}`, now)) {
          await computeDashboardSnapshot({ tenantId, now: new Date() });
        }
      } catch (error) {
        logger.error({ err: error, tenantId: key }, "dashboard snapshot refresh failed");
      } finally {
        background.delete(key);
      }
    })();
  }
  return stored;
}

/** The refresh button: recompute now unless someone did within the last 15 seconds. */
export async function refreshDashboardSnapshot({ tenantId, now = new Date() }: TenantScope & { now?: Date }): Promise<Snapshot> {
  await connectDb();
  if (await claimOnce(`dashboard-refresh:${String(tenantId)}:${Math.floor(now.getTime() / 15_000)}`, now)) {
    return computeDashboardSnapshot({ tenantId, now });
  }
  return (await readStored(tenantId)) ?? computeDashboardSnapshot({ tenantId, now });
}

/** The job: every tenant's snapshot (the scheduler's slot claim makes one instance run it). */
export async function runDashboardSnapshots({ now }: { now: Date }): Promise<{ tenants: number }> {
  await connectDb();
  const tenants = await Tenant.find({}).select({ _id: 1 }).lean<Array<{ _id: Types.ObjectId }>>();
  for (const t of tenants) await computeDashboardSnapshot({ tenantId: t._id, now });
  return { tenants: tenants.length };
}

// ---------------------------------------------------------------------------------------------
// Filters and figures (pure, in memory)

export type DashboardFilters = {
  year: number;
  district: string;
  industry: IndustryKey | "";
  size: SizeClass | "";
  /** The reader's district limit (Step 12; not in the URL): [] = the whole tenant. */
  scope: string[];
};

export function parseDashboardFilters(
  search: URLSearchParams,
  tenant: Pick<TenantView, "districts" | "regionCode" | "name">,
  now: Date,
  reader: DistrictScoped = { districtCodes: [] },
): DashboardFilters {
  const thisYear = shanghaiDay(now).year;
  const yearParam = parseIntParam(search.get("year"), { min: 2000, max: thisYear + 1 });
  const year = (yearParam.ok ? yearParam.value : undefined) ?? thisYear;
  const d = search.get("district") ?? "";
  const i = search.get("industry") ?? "";
  const s = search.get("size") ?? "";
  return {
    year,
    district: districtOptions(tenant).some((x) => x.code === d) && inDistrictScope(reader, d) ? d : "",
    industry: (INDUSTRY_KEYS as readonly string[]).includes(i) ? (i as IndustryKey) : "",
    size: (SIZE_CLASSES as readonly string[]).includes(s) ? (s as SizeClass) : "",
    scope: [...reader.districtCodes],
  };
}

/** The filters as a query string (empty values left out); `year` always included. */
export function dashboardQuery(f: DashboardFilters): string {
  const p = new URLSearchParams();
  p.set("year", String(f.year));
  if (f.district) p.set("district", f.district);
  if (f.industry) p.set("industry", f.industry);
  if (f.size) p.set("size", f.size);
  return p.toString();
}

export type CountRow = { key: string; count: number };

export type DashboardFigures = {
  computedAt: string;
  filters: DashboardFilters;
  enterprisesTotal: number;
  /** level "" = not certified; status "" = no certificate */
  byLevel: Array<{ level: string; status: string; count: number }>;
  levelNames: Record<string, { zh: string; en: string }>;
  applicationsTotal: number;
  byState: CountRow[];
  overdueCounts: { acceptance: number; review: number };
  overdue: OverdueEntry[];
  expiring: { within30: number; within90: number };
  creditTotal: number;
  creditByStatus: CountRow[];
  creditByCondition: CountRow[];
  /** First-time certifications aimed for in the year (the districts in view), renewals excluded. */
  target: number;
  /** Certificates issued in the year (first-time and renewals). */
  certifiedThisYear: number;
  /** Of those, first-time certifications (what the target counts) and renewals (shown apart). */
  firstTimeThisYear: number;
  renewalsThisYear: number;
  /** 12 months, counts and running total */
  trend: Array<{ month: number; count: number; cumulative: number }>;
  byDistrict: Array<{
    key: string;
    name: string;
    enterprises: number;
    certified: number;
    newlyCertified: number;
    /** Step 12: first-time certifications of the year against the district's target; renewals apart. */
    firstTime: number;
    renewals: number;
    target: number | null;
  }>;
  byIndustry: Array<{ key: string; enterprises: number; certified: number; newlyCertified: number }>;
  gaps: Array<{ elementId: string; title: { zh: string; en: string }; gap: number; applications: number }>;
};

function segMatches(seg: Segment | undefined, f: DashboardFilters): boolean {
  if (!f.district && !f.industry && !f.size && f.scope.length === 0) return true;
  if (!seg) return false;
  if (f.scope.length > 0 && !f.scope.includes(seg[0])) return false;
  return (!f.district || seg[0] === f.district) && (!f.industry || seg[1] === f.industry) && (!f.size || seg[2] === f.size);
}

function sorted(map: Map<string, number>, order?: readonly string[]): CountRow[] {
  const rows = [...map.entries()].map(([key, count]) => ({ key, count }));
  if (order) return rows.sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
  return rows.sort((a, b) => b.count - a.count || a.key.localeCompare(b.key));
}

const CERTIFIED_STATUSES = new Set(["active", "suspended"]);

export function dashboardFigures(
  snapshot: Snapshot,
  tenant: Pick<TenantView, "districts" | "regionCode" | "name" | "settings">,
  f: DashboardFilters,
): DashboardFigures {
  const s = snapshot.data;
  const ok = s.segs.map((seg) => segMatches(seg, f));
  const match = (idx: number) => (idx < 0 ? segMatches(undefined, f) : ok[idx] === true);

  let enterprisesTotal = 0;
  const levelMap = new Map<string, { level: string; status: string; count: number }>();
  const entBySeg = new Map<number, { all: number; certified: number }>();
  for (const [seg, level, status, n] of s.enterprises) {
    const bucket = entBySeg.get(seg) ?? { all: 0, certified: 0 };
    bucket.all += n;
    if (CERTIFIED_STATUSES.has(status)) bucket.certified += n;
    entBySeg.set(seg, bucket);
    if (!match(seg)) continue;
    enterprisesTotal += n;
    const k = `${level}|${status}`;
    const row = levelMap.get(k) ?? { level, status, count: 0 };
    row.count += n;
    levelMap.set(k, row);
  }
  const byLevel = [...levelMap.values()].sort(
    (a, b) => (a.level === "" ? 1 : 0) - (b.level === "" ? 1 : 0) || a.level.localeCompare(b.level) || a.status.localeCompare(b.status),
  );

  const cycle = String(f.year);
  const states = new Map<string, number>();
  let applicationsTotal = 0;
  for (const [seg, c, state, n] of s.applications) {
    if (c !== cycle || !match(seg)) continue;
    applicationsTotal += n;
    states.set(state, (states.get(state) ?? 0) + n);
  }
  const overdueCounts = { acceptance: 0, review: 0 };
  for (const [seg, kind, n] of s.overdueCounts) if (match(seg)) overdueCounts[kind] += n;
  const overdue = s.overdue.filter((o) => match(o.seg)).slice(0, 200);

  const expiring = { within30: 0, within90: 0 };
  for (const [seg, d30, d90] of s.expiring) {
    if (!match(seg)) continue;
    expiring.within30 += d30;
    expiring.within90 += d90;
  }

  let creditTotal = 0;
  const creditStatus = new Map<string, number>();
  const creditCondition = new Map<string, number>();
  for (const [seg, year, status, n] of s.creditStatus) {
    if (year !== f.year || !match(seg)) continue;
    creditTotal += n;
    creditStatus.set(status, (creditStatus.get(status) ?? 0) + n);
  }
  for (const [seg, year, condition, n] of s.creditCondition) {
    if (year !== f.year || !match(seg)) continue;
    creditCondition.set(condition, (creditCondition.get(condition) ?? 0) + n);
  }

  const months = Array.from({ length: 12 }, () => 0);
  const newlyBySeg = new Map<number, number>();
  for (const [seg, year, month, n] of s.certified) {
    if (year !== f.year) continue;
    newlyBySeg.set(seg, (newlyBySeg.get(seg) ?? 0) + n);
    if (!match(seg)) continue;
    months[month - 1] = (months[month - 1] ?? 0) + n;
  }
  let firstTimeThisYear = 0;
  const firstBySeg = new Map<number, number>();
  for (const [seg, year, , n] of s.firstCertified ?? []) {
    if (year !== f.year) continue;
    firstBySeg.set(seg, (firstBySeg.get(seg) ?? 0) + n);
    if (match(seg)) firstTimeThisYear += n;
  }
  let renewalsThisYear = 0;
  const renewedBySeg = new Map<number, number>();
  for (const [seg, year, n] of s.renewed ?? []) {
    if (year !== f.year) continue;
    renewedBySeg.set(seg, (renewedBySeg.get(seg) ?? 0) + n);
    if (match(seg)) renewalsThisYear += n;
  }
  let running = 0;
  const trend = months.map((count, i) => {
    running += count;
    return { month: i + 1, count, cumulative: running };
  });

  // Breakdowns: each row is the filter with that district (industry) substituted.
  const district = new Map<string, { enterprises: number; certified: number; newlyCertified: number }>();
  const districtFirst = new Map<string, { firstTime: number; renewals: number }>();
  const industry = new Map<string, { enterprises: number; certified: number; newlyCertified: number }>();
  const addTo = (
    map: Map<string, { enterprises: number; certified: number; newlyCertified: number }>,
    key: string,
    part: Partial<{ enterprises: number; certified: number; newlyCertified: number }>,
  ) => {
    const row = map.get(key) ?? { enterprises: 0, certified: 0, newlyCertified: 0 };
    row.enterprises += part.enterprises ?? 0;
    row.certified += part.certified ?? 0;
    row.newlyCertified += part.newlyCertified ?? 0;
    map.set(key, row);
  };
  s.segs.forEach((seg, idx) => {
    const e = entBySeg.get(idx);
    const newly = newlyBySeg.get(idx) ?? 0;
    const part = { enterprises: e?.all ?? 0, certified: e?.certified ?? 0, newlyCertified: newly };
    if (segMatches(seg, { ...f, district: "" })) {
      addTo(district, seg[0], part);
      const row = districtFirst.get(seg[0]) ?? { firstTime: 0, renewals: 0 };
      row.firstTime += firstBySeg.get(idx) ?? 0;
      row.renewals += renewedBySeg.get(idx) ?? 0;
      districtFirst.set(seg[0], row);
    }
    if (segMatches(seg, { ...f, industry: "" })) addTo(industry, seg[1], part);
  });
  const targets = yearlyTargetsOf(tenant, f.year);
  const byDistrict = districtOptions(tenant)
    .filter((d) => f.scope.length === 0 || f.scope.includes(d.code))
    .map((d) => ({
      key: d.code,
      name: d.name,
      ...(district.get(d.code) ?? { enterprises: 0, certified: 0, newlyCertified: 0 }),
      ...(districtFirst.get(d.code) ?? { firstTime: 0, renewals: 0 }),
      target: targets?.get(d.code) ?? null,
    }));
  const byIndustry = INDUSTRY_KEYS.filter((k) => industry.has(k)).map((k) => ({
    key: k,
    ...(industry.get(k) ?? { enterprises: 0, certified: 0, newlyCertified: 0 }),
  }));

  const gapMap = new Map<string, { sum: number; n: number }>();
  for (const [seg, c, el, sum, n] of s.gaps) {
    if (c !== cycle || !match(seg)) continue;
    const row = gapMap.get(el) ?? { sum: 0, n: 0 };
    row.sum += sum;
    row.n += n;
    gapMap.set(el, row);
  }
  const gaps = [...gapMap.entries()]
    .map(([elementId, { sum, n }]) => ({
      elementId,
      title: s.elementTitles[elementId] ?? { zh: elementId, en: elementId },
      gap: Math.round((sum / n) * 10) / 10,
      applications: n,
    }))
    .sort((a, b) => b.gap - a.gap || a.elementId.localeCompare(b.elementId));

  return {
    computedAt: snapshot.computedAt.toISOString(),
    filters: f,
    enterprisesTotal,
    byLevel,
    levelNames: s.levelNames,
    applicationsTotal,
    byState: sorted(states),
    overdueCounts,
    overdue,
    expiring,
    creditTotal,
    creditByStatus: sorted(creditStatus, CREDIT_STATUSES),
    creditByCondition: sorted(creditCondition).sort(
      (a, b) => b.count - a.count || CREDIT_CONDITION_KEYS.indexOf(a.key) - CREDIT_CONDITION_KEYS.indexOf(b.key),
    ),
    target: targetInView(tenant, f),
    certifiedThisYear: running,
    firstTimeThisYear,
    renewalsThisYear,
    trend,
    byDistrict,
    byIndustry,
    gaps,
  };
}

/** The loader's data function: snapshot (cached/stale-while-recompute) + filters. */
export async function getDashboard({
  tenant,
  search,
  now = new Date(),
  scope,
}: {
  tenant: TenantView;
  /** The reader's district limit (Step 12): figures, lists and exports cover only those districts. */
  scope?: DistrictScoped;
  /** The filters, and `asOf` (ms) after a refresh: figures at least that recent. */
  search: URLSearchParams;
  now?: Date;
}): Promise<DashboardFigures> {
  const filters = parseDashboardFilters(search, tenant, now, scope);
  const asOf = Number(search.get("asOf"));
  const atLeast = Number.isSafeInteger(asOf) && asOf > 0 && asOf <= now.getTime() + 60_000 ? new Date(asOf) : undefined;
  const snapshot = await getDashboardSnapshot({ tenantId: tenant._id, now, atLeast });
  return dashboardFigures(snapshot, tenant, filters);
}
