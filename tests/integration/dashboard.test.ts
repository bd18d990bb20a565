/**
 * Dashboard figures against a seeded data set. Every expected number is computed here with plain
 * loops over the seed specs (tests/dashboard-seed.ts), never with the dashboard code.
 */
import { gzipSync } from "node:zlib";
import { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { DashboardSnapshot, DashboardSnapshotData } from "../../models/dashboard-snapshot";
import { Enterprise } from "../../models/enterprise";
import { listCertificates } from "~/data/certificates.server";
import {
  buildSnapshotData,
  computeDashboardSnapshot,
  dashboardFigures,
  forgetCachedSnapshots,
  getDashboard,
  getDashboardSnapshot,
  parseDashboardFilters,
  refreshDashboardSnapshot,
  runDashboardSnapshots,
  type DashboardFigures,
} from "~/data/dashboard.server";
import { listApplicationQueues } from "~/data/grading-views.server";
import { getTenantBySlug } from "~/data/tenants.server";
import { action as dashboardAction, loader as dashboardLoader } from "~/routes/t.$slug.dashboard._index";
import {
  APPLICATIONS,
  CERTIFICATES,
  CREDITS,
  ENTERPRISES,
  SEED_NOW,
  TARGET,
  seedDashboard,
  type EntSpec,
} from "../dashboard-seed";
import { cookieFor, createMember, randomCreditCode } from "../factories";
import { callAction, callLoader } from "../route-helpers";

const DAY = 86_400_000;
type Filter = { year: number; district?: string; industry?: string; size?: string };

function inFilter(e: EntSpec | undefined, f: Filter): boolean {
  if (!f.district && !f.industry && !f.size) return true;
  if (!e) return false;
  return (!f.district || e.district === f.district) && (!f.industry || e.industry === f.industry) && (!f.size || e.size === f.size);
}
const ent = (key: string | null) => (key ? ENTERPRISES.find((e) => e.key === key) : undefined);
/** China-time calendar month of an instant (UTC+8). */
function cnMonth(d: Date): { year: number; month: number } {
  const s = new Date(d.getTime() + 8 * 3600_000);
  return { year: s.getUTCFullYear(), month: s.getUTCMonth() + 1 };
}
function effective(c: (typeof CERTIFICATES)[number]): string {
  return (c.status === "active" || c.status === "suspended") && c.validUntil.getTime() < SEED_NOW.getTime() ? "expired" : c.status;
}
function currentCert(key: string) {
  let best: (typeof CERTIFICATES)[number] | undefined;
  for (const c of CERTIFICATES) if (c.ent === key && (!best || c.issuedAt > best.issuedAt)) best = c;
  return best;
}
function bump(map: Map<string, number>, key: string, n = 1) {
  map.set(key, (map.get(key) ?? 0) + n);
}
const asObject = (rows: Array<{ key: string; count: number }>) => Object.fromEntries(rows.map((r) => [r.key, r.count]));

/** Everything the dashboard should show for filter f, by hand. */
function expected(f: Filter) {
  let enterprisesTotal = 0;
  const levels = new Map<string, number>();
  for (const e of ENTERPRISES) {
    if (!inFilter(e, f)) continue;
    enterprisesTotal += 1;
    const c = currentCert(e.key);
    bump(levels, c ? `${c.level}|${effective(c)}` : "|");
  }
  const states = new Map<string, number>();
  let applicationsTotal = 0;
  const overdue = { acceptance: 0, review: 0 };
  for (const a of APPLICATIONS) {
    if (!inFilter(ent(a.ent), f)) continue;
    if (a.overdue) overdue[a.overdue] += 1;
    if (!a.submitted || a.cycle !== String(f.year)) continue;
    applicationsTotal += 1;
    bump(states, a.state);
  }
  let within30 = 0;
  let within90 = 0;
  const months = Array.from({ length: 12 }, () => 0);
  for (const c of CERTIFICATES) {
    if (!inFilter(ent(c.ent), f)) continue;
    const left = c.validUntil.getTime() - SEED_NOW.getTime();
    if (effective(c) === "active" && left >= 0) {
      if (left <= 30 * DAY) within30 += 1;
      if (left <= 90 * DAY) within90 += 1;
    }
    const m = cnMonth(c.issuedAt);
    if (m.year === f.year) months[m.month - 1] = (months[m.month - 1] ?? 0) + 1;
  }
  const creditStatus = new Map<string, number>();
  const creditCondition = new Map<string, number>();
  let creditTotal = 0;
  for (const r of CREDITS) {
    const year = r.listedYear ?? cnMonth(r.createdAt).year;
    if (year !== f.year || !inFilter(ent(r.ent), f)) continue;
    creditTotal += 1;
    bump(creditStatus, r.status);
    bump(creditCondition, r.condition);
  }
  const breakdown = (dim: "district" | "industry") => {
    const out = new Map<string, { enterprises: number; certified: number; newlyCertified: number }>();
    for (const e of ENTERPRISES) {
      if (!inFilter(e, { ...f, [dim]: undefined })) continue;
      const row = out.get(e[dim]) ?? { enterprises: 0, certified: 0, newlyCertified: 0 };
      row.enterprises += 1;
      const c = currentCert(e.key);
      if (c && (effective(c) === "active" || effective(c) === "suspended")) row.certified += 1;
      row.newlyCertified += CERTIFICATES.filter((x) => x.ent === e.key && cnMonth(x.issuedAt).year === f.year).length;
      out.set(e[dim], row);
    }
    return out;
  };
  return {
    enterprisesTotal,
    levels: Object.fromEntries(levels),
    applicationsTotal,
    states: Object.fromEntries(states),
    overdue,
    expiring: { within30, within90 },
    months,
    creditTotal,
    creditStatus: Object.fromEntries(creditStatus),
    creditCondition: Object.fromEntries(creditCondition),
    districts: breakdown("district"),
    industries: breakdown("industry"),
  };
}

function check(figures: DashboardFigures, f: Filter) {
  const x = expected(f);
  expect(figures.enterprisesTotal).toBe(x.enterprisesTotal);
  expect(Object.fromEntries(figures.byLevel.map((r) => [`${r.level}|${r.status}`, r.count]))).toEqual(x.levels);
  expect(figures.applicationsTotal).toBe(x.applicationsTotal);
  expect(asObject(figures.byState)).toEqual(x.states);
  expect(figures.overdueCounts).toEqual(x.overdue);
  expect(figures.overdue).toHaveLength(x.overdue.acceptance + x.overdue.review);
  expect(figures.expiring).toEqual(x.expiring);
  expect(figures.trend.map((m) => m.count)).toEqual(x.months);
  expect(figures.certifiedThisYear).toBe(x.months.reduce((s, n) => s + n, 0));
  expect(figures.trend.at(-1)?.cumulative).toBe(figures.certifiedThisYear);
  expect(figures.target).toBe(TARGET);
  expect(figures.creditTotal).toBe(x.creditTotal);
  expect(asObject(figures.creditByStatus)).toEqual(x.creditStatus);
  expect(asObject(figures.creditByCondition)).toEqual(x.creditCondition);
  for (const row of figures.byDistrict) {
    expect(row, row.key).toMatchObject(x.districts.get(row.key) ?? { enterprises: 0, certified: 0, newlyCertified: 0 });
  }
  expect(figures.byIndustry.map((r) => r.key).sort()).toEqual([...x.industries.keys()].sort());
  for (const row of figures.byIndustry) expect(row, row.key).toMatchObject(x.industries.get(row.key) ?? {});
}

async function figuresFor(tenantSlug: string, f: Filter) {
  const tenant = await getTenantBySlug({ slug: tenantSlug });
  if (!tenant) throw new Error("tenant");
  const search = new URLSearchParams({ year: String(f.year) });
  if (f.district) search.set("district", f.district);
  if (f.industry) search.set("industry", f.industry);
  if (f.size) search.set("size", f.size);
  return getDashboard({ tenant, search, now: SEED_NOW });
}

describe("dashboard figures", () => {
  it("match the seed for the whole tenant and under every kind of filter", async () => {
    const { tenant } = await seedDashboard();
    await computeDashboardSnapshot({ tenantId: tenant._id, now: SEED_NOW });
    const filters: Filter[] = [
      { year: 2026 },
      { year: 2025 },
      { year: 2026, district: "510104" },
      { year: 2026, district: "510105" },
      { year: 2026, industry: "machinery" },
      { year: 2026, size: "small" },
      { year: 2026, district: "510104", industry: "chemical" },
      { year: 2025, district: "510105", size: "medium" },
    ];
    for (const f of filters) check(await figuresFor(tenant.slug, f), f);
    // Sanity: the seed really exercises the rules (a broken rule could not pass by accident).
    const all = await figuresFor(tenant.slug, { year: 2026 });
    expect(all.overdueCounts).toEqual({ acceptance: 2, review: 2 });
    expect(all.expiring).toEqual({ within30: 2, within90: 4 });
    expect(all.certifiedThisYear).toBe(6);
    expect(all.creditTotal).toBe(6); // incl. the unregistered subject, which no district filter shows
    const d1 = await figuresFor(tenant.slug, { year: 2026, district: "510104" });
    expect(d1.creditTotal).toBeLessThan(all.creditTotal);
  });

  it("lists overdue applications first, the most overdue at the top, with enterprise names", async () => {
    const { tenant } = await seedDashboard();
    await computeDashboardSnapshot({ tenantId: tenant._id, now: SEED_NOW });
    const f = await figuresFor(tenant.slug, { year: 2026 });
    const deadlines = f.overdue.map((o) => o.deadline);
    expect(deadlines).toEqual([...deadlines].sort());
    const expectedKinds = APPLICATIONS.filter((a) => a.overdue).map((a) => `${a.ent}:${a.overdue}`).sort();
    expect(f.overdue.map((o) => `${o.enterpriseName.replace("企业", "")}:${o.kind}`).sort()).toEqual(expectedKinds);
    // The first one is the 2025 application whose acceptance deadline passed in December 2025.
    expect(f.overdue[0]?.cycle).toBe("2025");
  });

  it("computes the self vs reviewer gap per element", async () => {
    const { tenant, elementIds } = await seedDashboard();
    await computeDashboardSnapshot({ tenantId: tenant._id, now: SEED_NOW });
    // Two reviewed 2026 applications, self "full" everywhere; the reviewer gave "none" on every item
    // of element 0 (first) and of element 1 (second): gaps 100 and 0, then 0 and 100.
    const reviewed = APPLICATIONS.filter((a) => a.reviewerZeroElement !== undefined && a.cycle === "2026");
    const expectGap = (apps: typeof reviewed) => {
      const out = new Map<string, number>();
      for (const [i, id] of elementIds.entries()) {
        const gaps: number[] = apps.map((a) => (a.reviewerZeroElement === i ? 100 : 0));
        out.set(id, gaps.reduce((s, g) => s + g, 0) / gaps.length);
      }
      return out;
    };
    const all = await figuresFor(tenant.slug, { year: 2026 });
    const want = expectGap(reviewed);
    expect(all.gaps).toHaveLength(elementIds.length);
    for (const g of all.gaps) {
      expect(g.gap, g.elementId).toBe(want.get(g.elementId));
      expect(g.applications).toBe(reviewed.length);
    }
    expect(all.gaps[0]?.gap).toBe(50);
    // Filtered to the district of the first reviewed application only.
    const district = ent(reviewed[0]?.ent ?? "")?.district ?? "";
    const onlyFirst = reviewed.filter((a) => ent(a.ent)?.district === district);
    const filtered = await figuresFor(tenant.slug, { year: 2026, district });
    const want1 = expectGap(onlyFirst);
    for (const g of filtered.gaps) expect(g.gap, g.elementId).toBe(want1.get(g.elementId));
    expect((await figuresFor(tenant.slug, { year: 2025 })).gaps).toEqual([]);
  });

  it("the lists behind the charts show the same numbers", async () => {
    const { tenant } = await seedDashboard();
    await computeDashboardSnapshot({ tenantId: tenant._id, now: SEED_NOW });
    const f = await figuresFor(tenant.slug, { year: 2026 });
    for (const kind of ["acceptance", "review"] as const) {
      const list = await listApplicationQueues({ tenantId: tenant._id, queue: "acceptance", overdue: kind, now: SEED_NOW });
      expect(list.total, kind).toBe(f.overdueCounts[kind]);
    }
    for (const row of f.byState) {
      const list = await listApplicationQueues({ tenantId: tenant._id, queue: "acceptance", states: [row.key], cycle: "2026", now: SEED_NOW });
      expect(list.total, row.key).toBe(row.count);
    }
    const d1 = await figuresFor(tenant.slug, { year: 2026, district: "510104" });
    const d1List = await listApplicationQueues({
      tenantId: tenant._id,
      queue: "acceptance",
      overdue: "any",
      enterprise: { districtCode: "510104" },
      now: SEED_NOW,
    });
    expect(d1List.total).toBe(d1.overdueCounts.acceptance + d1.overdueCounts.review);
    for (const days of ["30", "90"] as const) {
      const list = await listCertificates({ tenantId: tenant._id, filters: { expiring: days }, now: SEED_NOW });
      expect(list.total, days).toBe(days === "30" ? f.expiring.within30 : f.expiring.within90);
    }
    const issued = await listCertificates({ tenantId: tenant._id, filters: { issued: "2026" }, now: SEED_NOW });
    expect(issued.total).toBe(f.certifiedThisYear);
    const march = await listCertificates({ tenantId: tenant._id, filters: { issued: "2026-03" }, now: SEED_NOW });
    expect(march.total).toBe(f.trend[2]?.count);
  });

  it("keeps figures until the snapshot is recomputed, then shows the change (refresh, job, stale)", async () => {
    const { tenant } = await seedDashboard();
    const first = await getDashboardSnapshot({ tenantId: tenant._id, now: SEED_NOW }); // none yet → computed
    const t0 = await getTenantBySlug({ slug: tenant.slug });
    if (!t0) throw new Error("tenant");
    const filters = parseDashboardFilters(new URLSearchParams("year=2026"), t0, SEED_NOW);
    expect(dashboardFigures(first, t0, filters).enterprisesTotal).toBe(ENTERPRISES.length);

    await Enterprise.create({
      tenantId: tenant._id,
      name: "新企业",
      creditCode: randomCreditCode(),
      industry: "machinery",
      sizeClass: "micro",
      districtCode: "510104",
    });
    const later = new Date(SEED_NOW.getTime() + 60_000);
    const cached = await getDashboard({ tenant: t0, search: new URLSearchParams("year=2026"), now: later });
    expect(cached.enterprisesTotal).toBe(ENTERPRISES.length);
    expect(cached.computedAt).toBe(SEED_NOW.toISOString());

    const refreshed = await refreshDashboardSnapshot({ tenantId: tenant._id, now: later });
    expect(refreshed.computedAt.toISOString()).toBe(later.toISOString());
    const after = await getDashboard({ tenant: t0, search: new URLSearchParams("year=2026"), now: later });
    expect(after.enterprisesTotal).toBe(ENTERPRISES.length + 1);

    // The job recounts every tenant.
    await Enterprise.create({
      tenantId: tenant._id,
      name: "又一家企业",
      creditCode: randomCreditCode(),
      industry: "machinery",
      sizeClass: "micro",
      districtCode: "510105",
    });
    const jobTime = new Date(SEED_NOW.getTime() + 10 * 60_000);
    expect((await runDashboardSnapshots({ now: jobTime })).tenants).toBeGreaterThanOrEqual(1);
    const viaJob = await getDashboard({ tenant: t0, search: new URLSearchParams("year=2026&district=510105"), now: jobTime });
    expect(viaJob.enterprisesTotal).toBe(ENTERPRISES.filter((e) => e.district === "510105").length + 1);
    expect(viaJob.computedAt).toBe(jobTime.toISOString());

    // A stale snapshot is shown at once and recounted in the background.
    await Enterprise.create({
      tenantId: tenant._id,
      name: "第三家企业",
      creditCode: randomCreditCode(),
      industry: "commerce",
      sizeClass: "micro",
      districtCode: "510105",
    });
    const stale = new Date(jobTime.getTime() + 16 * 60_000);
    const shown = await getDashboard({ tenant: t0, search: new URLSearchParams("year=2026"), now: stale });
    expect(shown.computedAt).toBe(jobTime.toISOString());
    await expect
      .poll(async () => (await getDashboard({ tenant: t0, search: new URLSearchParams("year=2026"), now: stale })).enterprisesTotal, {
        timeout: 10_000,
      })
      .toBe(ENTERPRISES.length + 3);
  });
});

describe("dashboard snapshot on several instances", () => {
  it("a snapshot written elsewhere replaces this instance's copy: next view, or at once with asOf", async () => {
    const { tenant } = await seedDashboard();
    const t0 = await getTenantBySlug({ slug: tenant.slug });
    if (!t0) throw new Error("tenant");
    await computeDashboardSnapshot({ tenantId: tenant._id, now: SEED_NOW }); // this instance caches it
    // Another instance recounts after a new enterprise: it writes data + head, our memory is older.
    await Enterprise.create({ tenantId: tenant._id, name: "别处新增企业", creditCode: randomCreditCode(), industry: "other", sizeClass: "micro", districtCode: "510104" });
    const t2 = new Date(SEED_NOW.getTime() + 5 * 60_000);
    const data = await buildSnapshotData(t0, t2);
    const dataId = new Types.ObjectId();
    await DashboardSnapshotData.create({ _id: dataId, tenantId: tenant._id, data: gzipSync(JSON.stringify(data)) });
    await DashboardSnapshot.updateOne({ tenantId: tenant._id }, { $set: { computedAt: t2, dataId } });

    const search = (extra = "") => new URLSearchParams(`year=2026${extra}`);
    const first = await getDashboard({ tenant: t0, search: search(), now: t2 });
    expect(first.computedAt).toBe(SEED_NOW.toISOString()); // served from memory while the new one loads
    await expect.poll(async () => (await getDashboard({ tenant: t0, search: search(), now: t2 })).enterprisesTotal).toBe(ENTERPRISES.length + 1);

    // After a refresh elsewhere, `asOf` makes this instance load the new data before answering.
    forgetCachedSnapshots();
    await computeDashboardSnapshot({ tenantId: tenant._id, now: SEED_NOW }); // memory: old again
    const t3 = new Date(SEED_NOW.getTime() + 9 * 60_000);
    const data3 = await buildSnapshotData(t0, t3);
    const id3 = new Types.ObjectId();
    await DashboardSnapshotData.create({ _id: id3, tenantId: tenant._id, data: gzipSync(JSON.stringify(data3)) });
    await DashboardSnapshot.updateOne({ tenantId: tenant._id }, { $set: { computedAt: t3, dataId: id3 } });
    const fresh = await getDashboard({ tenant: t0, search: search(`&asOf=${t3.getTime()}`), now: t3 });
    expect(fresh.computedAt).toBe(t3.toISOString());
  });
});

describe("dashboard page", () => {
  it("is for regulators and tenant admins; others get 403; refresh recounts", async () => {
    const { tenant, regulator } = await seedDashboard();
    const cookie = await cookieFor(regulator.user._id);
    const url = `http://localhost:3000/t/${tenant.slug}/dashboard?year=2026&district=510104`;
    const res = await callLoader(dashboardLoader, url, { slug: tenant.slug }, { cookie });
    expect(res.status).toBe(200);
    const body = res.data as { figures: DashboardFigures; query: string };
    expect(body.figures.filters).toMatchObject({ year: 2026, district: "510104", industry: "", size: "" });
    expect(body.query).toBe("year=2026&district=510104");
    expect(body.figures.overdue.length).toBeLessThanOrEqual(20);
    // (The loader runs at the real time, so more deadlines have passed than at SEED_NOW.)
    expect(body.figures.overdue.length).toBeGreaterThanOrEqual(
      APPLICATIONS.filter((a) => a.overdue && ent(a.ent)?.district === "510104").length,
    );
    for (const o of body.figures.overdue) expect(o.enterpriseName).toContain("510104");

    const admin = await createMember(tenant._id, "tenant_admin");
    expect((await callLoader(dashboardLoader, url, { slug: tenant.slug }, { cookie: await cookieFor(admin.user._id) })).status).toBe(200);
    for (const role of ["enterprise_admin", "reviewer"] as const) {
      const m = await createMember(tenant._id, role);
      const denied = await callLoader(dashboardLoader, url, { slug: tenant.slug }, { cookie: await cookieFor(m.user._id) });
      expect(denied.status, role).toBe(403);
    }

    const refreshed = await callAction(dashboardAction, url, { slug: tenant.slug }, { cookie });
    expect(refreshed.status).toBe(302);
    expect(refreshed.location).toContain("refreshed=1");
    expect(refreshed.location).toContain("district=510104");
    expect(refreshed.location).toMatch(/asOf=\d+/);
  });
});
