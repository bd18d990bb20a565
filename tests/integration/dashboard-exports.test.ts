/** Dashboard and enterprise-list exports, parsed back: CSV (BOM, quoting), XLSX (exceljs), PDF. */
import ExcelJS from "exceljs";
import type { LoaderFunctionArgs } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { Enterprise } from "../../models/enterprise";
import { computeDashboardSnapshot, getDashboard } from "~/data/dashboard.server";
import { parseCsv } from "~/data/table-export.server";
import { getTenantBySlug } from "~/data/tenants.server";
import { DASHBOARD_TABLES, dashboardTable } from "~/lib/dashboard-tables";
import { loader as csvLoader } from "~/routes/t.$slug.dashboard[.csv]";
import { loader as xlsxLoader } from "~/routes/t.$slug.dashboard[.xlsx]";
import { loader as pdfLoader } from "~/routes/t.$slug.dashboard.report[.pdf]";
import { loader as entCsvLoader } from "~/routes/t.$slug.enterprises[.csv]";
import { loader as entXlsxLoader } from "~/routes/t.$slug.enterprises[.xlsx]";
import { ENTERPRISES, seedDashboard } from "../dashboard-seed";
import { cookieFor, createMember, randomCreditCode } from "../factories";
import { makeRequest } from "../route-helpers";

async function fetchRaw(loader: (args: LoaderFunctionArgs) => unknown, url: string, slug: string, cookie: string) {
  try {
    const res = (await loader({ request: makeRequest(url, { cookie }), params: { slug }, context: {} })) as Response;
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, headers: thrown.headers, bytes: Buffer.alloc(0) };
    throw thrown;
  }
}

function decodeCsv(bytes: Buffer): string[][] {
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.toString("utf8");
  expect(text.includes("\r\n")).toBe(true);
  return parseCsv(text);
}

async function readXlsx(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as Parameters<typeof wb.xlsx.load>[0]);
  return wb.worksheets.map((ws) => {
    const rows: Array<Array<string | number>> = [];
    ws.eachRow((row) => {
      const cells: Array<string | number> = [];
      for (let c = 1; c <= row.cellCount; c++) {
        const v = row.getCell(c).value;
        cells.push(typeof v === "number" ? v : String(v ?? ""));
      }
      rows.push(cells);
    });
    return { name: ws.name, rows };
  });
}

async function setup() {
  const seeded = await seedDashboard();
  await computeDashboardSnapshot({ tenantId: seeded.tenant._id });
  const cookie = await cookieFor(seeded.regulator.user._id);
  const tenant = await getTenantBySlug({ slug: seeded.tenant.slug });
  if (!tenant) throw new Error("tenant");
  return { ...seeded, cookie, view: tenant, slug: tenant.slug };
}

describe("dashboard exports", () => {
  it("CSV of every table: BOM, header and rows as on the page, with the filters applied", async () => {
    const { cookie, view, slug } = await setup();
    const search = new URLSearchParams("year=2026&district=510104");
    const figures = await getDashboard({ tenant: view, search });
    for (const key of DASHBOARD_TABLES) {
      const res = await fetchRaw(csvLoader, `/t/${slug}/dashboard.csv?table=${key}&${search.toString()}`, slug, cookie);
      expect(res.status, key).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
      expect(res.headers.get("Content-Disposition")).toContain("attachment");
      const rows = decodeCsv(res.bytes);
      const table = dashboardTable(figures, key, "zh-CN");
      expect(rows[0], key).toEqual(table.columns);
      expect(rows.slice(1), key).toEqual(table.rows.map((r) => r.map(String)));
    }
    // The filtered district table differs from the unfiltered one (filters really reach the export).
    const all = decodeCsv((await fetchRaw(csvLoader, `/t/${slug}/dashboard.csv?table=states&year=2026`, slug, cookie)).bytes);
    const d1 = decodeCsv((await fetchRaw(csvLoader, `/t/${slug}/dashboard.csv?table=states&year=2026&district=510104`, slug, cookie)).bytes);
    const sum = (rows: string[][]) => rows.slice(1).reduce((s, r) => s + Number(r[1]), 0);
    expect(sum(d1)).toBeLessThan(sum(all));
    expect(sum(d1)).toBe(figures.applicationsTotal);
    expect(sum(all)).toBe((await getDashboard({ tenant: view, search: new URLSearchParams("year=2026") })).applicationsTotal);
  });

  it("XLSX of one table and of all tables reads back with exceljs", async () => {
    const { cookie, view, slug } = await setup();
    const search = new URLSearchParams("year=2026");
    const figures = await getDashboard({ tenant: view, search });
    const one = await fetchRaw(xlsxLoader, `/t/${slug}/dashboard.xlsx?table=trend&year=2026`, slug, cookie);
    expect(one.status).toBe(200);
    expect(one.headers.get("Content-Type")).toContain("spreadsheetml");
    const [sheet] = await readXlsx(one.bytes);
    const table = dashboardTable(figures, "trend", "zh-CN");
    expect(sheet?.rows[0]).toEqual(table.columns);
    expect(sheet?.rows.slice(1)).toEqual(table.rows);
    expect(sheet?.rows).toHaveLength(13);

    const all = await readXlsx((await fetchRaw(xlsxLoader, `/t/${slug}/dashboard.xlsx?table=all&year=2026`, slug, cookie)).bytes);
    expect(all).toHaveLength(DASHBOARD_TABLES.length);
    const states = all.find((s) => s.name === dashboardTable(figures, "states", "zh-CN").title);
    expect(states?.rows.slice(1)).toEqual(dashboardTable(figures, "states", "zh-CN").rows);
  });

  it("rejects unknown tables and non-regulators", async () => {
    const { cookie, tenant, slug } = await setup();
    expect((await fetchRaw(csvLoader, `/t/${slug}/dashboard.csv?table=nope`, slug, cookie)).status).toBe(404);
    const member = await createMember(tenant._id, "enterprise_admin");
    const other = await cookieFor(member.user._id);
    expect((await fetchRaw(csvLoader, `/t/${slug}/dashboard.csv?table=states`, slug, other)).status).toBe(403);
    expect((await fetchRaw(pdfLoader, `/t/${slug}/dashboard/report.pdf?month=2026-06`, slug, other)).status).toBe(403);
  });

  it("monthly report is a PDF; a malformed month is a 400", async () => {
    const { cookie, slug } = await setup();
    const res = await fetchRaw(pdfLoader, `/t/${slug}/dashboard/report.pdf?month=2026-06&district=510104`, slug, cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/pdf");
    expect(res.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(res.bytes.length).toBeGreaterThan(5_000);
    expect((await fetchRaw(pdfLoader, `/t/${slug}/dashboard/report.pdf?month=2026-13`, slug, cookie)).status).toBe(400);
  });
});

describe("enterprise list exports", () => {
  it("CSV quotes commas and quotes, defuses formulas, and applies the list filters; XLSX matches", async () => {
    const { cookie, tenant, slug } = await setup();
    const tricky = '甲,乙"丙"机械有限公司';
    await Enterprise.create({ tenantId: tenant._id, name: tricky, creditCode: randomCreditCode(), industry: "machinery", sizeClass: "micro", districtCode: "510104" });
    await Enterprise.create({ tenantId: tenant._id, name: "=HYPERLINK(1)", creditCode: randomCreditCode(), industry: "machinery", sizeClass: "micro", districtCode: "510104" });

    const res = await fetchRaw(entCsvLoader, `/t/${slug}/enterprises.csv?district=510104&industry=machinery`, slug, cookie);
    expect(res.status).toBe(200);
    const text = res.bytes.toString("utf8");
    expect(text).toContain('"甲,乙""丙""机械有限公司"');
    const rows = decodeCsv(res.bytes);
    const expectedCount = ENTERPRISES.filter((e) => e.district === "510104" && e.industry === "machinery").length + 2;
    expect(rows).toHaveLength(expectedCount + 1);
    expect(rows[0]?.[0]).toBe("企业名称");
    const names = rows.slice(1).map((r) => r[0]);
    expect(names).toContain(tricky);
    expect(names).toContain("'=HYPERLINK(1)");
    for (const r of rows.slice(1)) {
      expect(r[2]).toBe("机械");
      expect(r[4]).toBe("锦江区");
    }

    const x = await fetchRaw(entXlsxLoader, `/t/${slug}/enterprises.xlsx?district=510104&industry=machinery`, slug, cookie);
    const [sheet] = await readXlsx(x.bytes);
    expect(sheet?.rows).toHaveLength(expectedCount + 1);
    expect(sheet?.rows.map((r) => r[0])).toContain(tricky);
  });
});
