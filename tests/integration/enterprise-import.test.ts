/** Bulk import of the enterprise directory (CSV/XLSX) with per-row validation. */
import ExcelJS from "exceljs";
import { describe, expect, it } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { Enterprise } from "../../models/enterprise";
import { parseCsv } from "~/data/table-export.server";
import { computeCheckCharacter } from "~/lib/credit-code";
import { action as importAction, loader as importLoader } from "~/routes/t.$slug.enterprises.import";
import { loader as templateLoader } from "~/routes/t.$slug.enterprises.import.template[.csv]";
import { cookieFor, createEnterprise, createMember, createTenant, randomCreditCode } from "../factories";
import { callLoader } from "../route-helpers";

const HEADER = "企业名称,统一社会信用代码,行业,企业规模,所属区（市）县,地址,联系人,联系电话";

async function setup() {
  const tenant = await createTenant();
  const regulator = await createMember(tenant._id, "regulator");
  return { tenant, slug: tenant.slug, cookie: await cookieFor(regulator.user._id) };
}

type ImportBody =
  | { ok: false; fileError: string }
  | { ok: true; imported: number; skipped: number; blocked: boolean; total: number; errors: Array<{ row: number; field: string; message: string }>; errorCsv: string };

async function upload(slug: string, cookie: string, file: { name: string; body: Buffer | string; type: string }, validOnly = false) {
  const form = new FormData();
  form.set("file", new File([typeof file.body === "string" ? file.body : new Uint8Array(file.body)], file.name, { type: file.type }));
  if (validOnly) form.set("validOnly", "1");
  const request = new Request(`http://localhost:3000/t/${slug}/enterprises/import`, {
    method: "POST",
    body: form,
    headers: { Cookie: cookie, "x-sg-client-ip": "127.0.0.1" },
  });
  try {
    const result = (await importAction({ request, params: { slug }, context: {} })) as unknown as {
      data: ImportBody;
      init: ResponseInit | null;
    };
    return { status: result.init?.status ?? 200, body: result.data };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, body: null };
    throw thrown;
  }
}

const csv = (lines: string[]) => `\uFEFF${[HEADER, ...lines].join("\r\n")}\r\n`;
const wrongChecksum = (code: string) => {
  const body = code.slice(0, 17);
  const right = computeCheckCharacter(body);
  return body + (right === "1" ? "2" : "1");
};

describe("enterprise import", () => {
  it("imports a good CSV (labels, names and codes accepted) through the normal create path", async () => {
    const { tenant, slug, cookie } = await setup();
    const a = randomCreditCode();
    const b = randomCreditCode();
    const res = await upload(slug, cookie, {
      name: "ok.csv",
      type: "text/csv",
      body: csv([
        `"成都甲,乙机械有限公司",${a.toLowerCase()},机械,中型,锦江区,"成都市锦江区东大街1号",张三,028-1234567`,
        `成都丙化工有限公司,${b},chemical,small,510105,,,`,
      ]),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, imported: 2, skipped: 0, blocked: false, errors: [] });
    const docs = await Enterprise.find({ tenantId: tenant._id }).sort({ name: 1 }).lean();
    expect(docs.map((d) => [d.name, d.creditCode, d.industry, d.sizeClass, d.districtCode])).toEqual([
      ["成都丙化工有限公司", b, "chemical", "small", "510105"],
      ["成都甲,乙机械有限公司", a, "machinery", "medium", "510104"],
    ]);
    expect(await AuditEvent.countDocuments({ tenantId: tenant._id, action: "enterprise.created" })).toBe(2);
  });

  it("a file with bad rows imports nothing and reports every problem by row (page + CSV)", async () => {
    const { tenant, slug, cookie } = await setup();
    const existing = await createEnterprise(tenant._id);
    const good = randomCreditCode();
    const dup = randomCreditCode();
    const res = await upload(slug, cookie, {
      name: "bad.csv",
      type: "text/csv",
      body: csv([
        `好企业有限公司,${good},机械,中型,锦江区,,,`, // row 2 ok
        `校验位错误公司,${wrongChecksum(randomCreditCode())},机械,中型,锦江区,,,`, // row 3
        `非法字符公司,91510IOO0000000000,机械,中型,锦江区,,,`, // row 4
        `,${randomCreditCode()},机械,中型,锦江区,,,`, // row 5: name missing
        `未知区县公司,${randomCreditCode()},机械,中型,火星区,,,`, // row 6
        `未知行业公司,${randomCreditCode()},造船,巨型,锦江区,,,`, // row 7: unknown industry and size
        `重复甲公司,${dup},机械,中型,锦江区,,,`, // row 8 ok
        `重复乙公司,${dup},机械,中型,青羊区,,,`, // row 9: same code as row 8
        `已存在公司,${existing.creditCode},机械,中型,锦江区,,,`, // row 10: already registered
      ]),
    });
    expect(res.status).toBe(422);
    if (!res.body?.ok) throw new Error("expected a row report");
    expect(res.body).toMatchObject({ imported: 0, blocked: true, total: 9, skipped: 7 });
    const byRow = res.body.errors.map((e) => `${e.row}:${e.field}:${e.message}`);
    expect(byRow).toEqual([
      expect.stringMatching(/^3:creditCode:errors\.creditCode\.checksum\?expected=/),
      "4:creditCode:errors.creditCode.character?position=6&character=I",
      "5:name:errors.required",
      "6:districtCode:dashboard.import.error.unknownDistrict?value=%E7%81%AB%E6%98%9F%E5%8C%BA",
      "7:industry:dashboard.import.error.unknownIndustry?value=%E9%80%A0%E8%88%B9",
      "7:sizeClass:dashboard.import.error.unknownSize?value=%E5%B7%A8%E5%9E%8B",
      "9:creditCode:dashboard.import.error.duplicateInFile?row=8",
      "10:creditCode:dashboard.import.error.duplicateInTenant",
    ]);
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(1);

    const report = parseCsv(res.body.errorCsv);
    expect(res.body.errorCsv.startsWith("\uFEFF")).toBe(true);
    expect(report[0]).toEqual(["行号", "字段", "问题"]);
    expect(report).toHaveLength(9);
    expect(report[2]).toEqual(["4", "统一社会信用代码", "第 6 位字符“I”无效（不可使用 I、O、S、V、Z 及其他符号）"]);
    expect(report[4]).toEqual(["6", "所属区（市）县", "未知的区县：火星区"]);
  });

  it("'import valid rows only' imports the good rows and reports the rest", async () => {
    const { tenant, slug, cookie } = await setup();
    const ok1 = randomCreditCode();
    const ok2 = randomCreditCode();
    const res = await upload(
      slug,
      cookie,
      {
        name: "mixed.csv",
        type: "text/csv",
        body: csv([
          `甲公司,${ok1},机械,中型,锦江区,,,`,
          `乙公司,${wrongChecksum(randomCreditCode())},机械,中型,锦江区,,,`,
          `丙公司,${ok2},商贸,微型,青羊区,,,`,
          `丁公司,${ok2},商贸,微型,青羊区,,,`,
        ]),
      },
      true,
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, imported: 2, skipped: 2, blocked: false });
    const codes = (await Enterprise.find({ tenantId: tenant._id }).lean()).map((e) => e.creditCode).sort();
    expect(codes).toEqual([ok1, ok2].sort());
  });

  it("imports an XLSX file; refuses a file it cannot read, a missing column and an empty upload", async () => {
    const { tenant, slug, cookie } = await setup();
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("企业");
    ws.addRow(HEADER.split(","));
    const code = randomCreditCode();
    ws.addRow(["表格导入有限公司", code, "建筑施工", "大型", "青羊区", "", "李四", "13800000000"]);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await upload(slug, cookie, { name: "list.xlsx", type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body: xlsx });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, imported: 1 });
    const doc = await Enterprise.findOne({ tenantId: tenant._id, creditCode: code }).lean();
    expect(doc).toMatchObject({ name: "表格导入有限公司", industry: "construction", sizeClass: "large", districtCode: "510105", contactName: "李四" });

    const broken = await upload(slug, cookie, { name: "x.xlsx", type: "application/octet-stream", body: Buffer.from("PK\u0003\u0004not really a zip") });
    expect(broken).toMatchObject({ status: 400, body: { ok: false, fileError: "dashboard.import.error.badFile" } });
    const missing = await upload(slug, cookie, { name: "m.csv", type: "text/csv", body: "企业名称,行业\r\n甲,机械\r\n" });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ ok: false });
    expect(missing.body?.ok === false && missing.body.fileError).toContain("dashboard.import.error.missingColumns");
    const empty = await upload(slug, cookie, { name: "e.csv", type: "text/csv", body: "" });
    expect(empty).toMatchObject({ status: 400, body: { ok: false, fileError: "dashboard.import.error.noFile" } });
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(1);
  });

  it("template downloads as CSV with the import header; only regulators/tenant admins may import", async () => {
    const { tenant, slug, cookie } = await setup();
    const res = (await templateLoader({
      request: new Request(`http://localhost:3000/t/${slug}/enterprises/import/template.csv`, { headers: { Cookie: cookie } }),
      params: { slug },
      context: {},
    })) as Response;
    const bytes = Buffer.from(await res.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(parseCsv(bytes.toString("utf8"))[0]?.join(",")).toBe(HEADER);

    const reviewer = await createMember(tenant._id, "reviewer");
    const rc = await cookieFor(reviewer.user._id);
    expect((await callLoader(importLoader, `/t/${slug}/enterprises/import`, { slug }, { cookie: rc })).status).toBe(403);
    const denied = await upload(slug, rc, { name: "ok.csv", type: "text/csv", body: csv([`甲公司,${randomCreditCode()},机械,中型,锦江区,,,`]) });
    expect(denied.status).toBe(403);
    expect(await Enterprise.countDocuments({ tenantId: tenant._id })).toBe(0);
  });
});
