import type { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { AuditEvent } from "../../models/audit-event";
import { CreditRecord } from "../../models/credit-record";
import { importCreditCsv, parseCsv } from "~/data/credit-import.server";
import { computeCheckCharacter } from "~/lib/credit-code";
import { action, loader } from "~/routes/t.$slug.credit.import";
import { loader as templateLoader } from "~/routes/t.$slug.credit.import-template[.csv]";
import { createCreditRecord } from "../credit-fixtures";
import { cookieFor, createEnterprise, createMember, createTenant } from "../factories";
import { callLoader, makeRequest } from "../route-helpers";

const HEADER = "主体名称,统一社会信用代码,主体类型,法定代表人/主要负责人,负责人身份证号,名单类型,列入情形,失信事实,列入依据,行政处罚决定书文号,处罚决定日期,作出决定机关";

function code(n: number): string {
  const body = `9151010000000${String(n).padStart(4, "0")}`;
  return body + computeCheckCharacter(body);
}

function row(n: number, overrides: Partial<Record<string, string>> = {}): string {
  const v = {
    name: `导入测试${n}化工有限公司`,
    code: code(n),
    type: "enterprise",
    person: "李四",
    id: "510104198001011234",
    listType: "serious2023",
    condition: "c2023_concealed_accident",
    facts: "瞒报事故",
    basis: "第六条",
    decision: `成应急罚〔2025〕${n}号`,
    date: "2025-03-01",
    authority: "",
    ...overrides,
  };
  return [v.name, v.code, v.type, v.person, v.id, v.listType, v.condition, v.facts, v.basis, v.decision, v.date, v.authority]
    .map((c) => (/[",\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c))
    .join(",");
}

const csv = (...rows: string[]) => `${[HEADER, ...rows].join("\r\n")}\r\n`;

async function setup() {
  const tenant = await createTenant({ slug: "imp-chengdu", zh: "成都市应急管理局" });
  const regulator = await createMember(tenant._id, "regulator");
  return { tenant, regulator, cookie: await cookieFor(regulator.user._id) };
}

type Result = {
  ok: boolean;
  error?: string;
  report?: {
    total: number;
    valid: number;
    imported: number;
    committed: boolean;
    errors: Array<{ row: number; field: string; message: string; value: string }>;
  };
  errorCsv?: string;
};

async function upload(
  ctx: Awaited<ReturnType<typeof setup>>,
  content: string | Uint8Array,
  options: { validOnly?: boolean; name?: string; cookie?: string } = {},
): Promise<{ status: number; data: Result }> {
  const fd = new FormData();
  fd.append("file", new File([typeof content === "string" ? content : content.slice()], options.name ?? "records.csv", { type: "text/csv" }));
  if (options.validOnly) fd.append("validOnly", "on");
  const request = new Request(`http://localhost:3000/t/${ctx.tenant.slug}/credit/import`, {
    method: "POST",
    body: fd,
    headers: { Cookie: options.cookie ?? ctx.cookie, "x-sg-client-ip": "127.0.0.1" },
  });
  try {
    const res = (await action({ request, params: { slug: ctx.tenant.slug }, context: {} })) as unknown;
    if (res instanceof Response) return { status: res.status, data: (await res.json().catch(() => ({}))) as Result };
    const d = res as { data: Result; init: ResponseInit | null };
    return { status: d.init?.status ?? 200, data: d.data };
  } catch (thrown) {
    if (thrown instanceof Response) return { status: thrown.status, data: { ok: false } };
    throw thrown;
  }
}

const count = (tenantId: Types.ObjectId) => CreditRecord.countDocuments({ tenantId });

describe("CSV import of credit records", () => {
  it("imports a good file as draft records with search fields, history and the creator; links enterprises", async () => {
    const ctx = await setup();
    const enterprise = await createEnterprise(ctx.tenant._id, { creditCode: code(2) });
    const { status, data } = await upload(ctx, `\uFEFF${csv(row(1), row(2, { type: "生产经营单位", condition: "瞒报、谎报生产安全事故", listType: "安全生产严重失信主体名单（2023）" }), row(3, { authority: "某区应急管理局", date: "" }))}`);
    expect(status).toBe(200);
    expect(data.report).toMatchObject({ total: 3, valid: 3, imported: 3, committed: true, errors: [] });
    const docs = await CreditRecord.find({ tenantId: ctx.tenant._id }).sort({ creditCode: 1 }).lean();
    expect(docs).toHaveLength(3);
    for (const d of docs) {
      expect(d).toMatchObject({ state: "draft", status: "draft", version: 0, listedAt: null, listedYear: null });
      expect(String(d.createdBy)).toBe(String(ctx.regulator.user._id));
      expect(d.search.code).toBe(d.creditCode);
      expect(d.search.name).toBe(d.subjectName);
      expect(d.history).toHaveLength(1);
      expect(d.history[0]).toMatchObject({ event: "IMPORTED", actor: { kind: "user" } });
      expect(String(d.history[0]?.actor.userId)).toBe(String(ctx.regulator.user._id));
      expect(d.history[0]?.note).toMatch(/^records\.csv #\d$/);
    }
    expect(docs[0]).toMatchObject({ authority: "成都市应急管理局", conditionKey: "c2023_concealed_accident" });
    expect(docs[0]?.history[0]?.note).toBe("records.csv #2");
    expect(String(docs[1]?.enterpriseId)).toBe(String(enterprise._id));
    expect(docs[1]?.subjectType).toBe("enterprise");
    expect(docs[2]?.authority).toBe("某区应急管理局");
    expect(await AuditEvent.countDocuments({ tenantId: ctx.tenant._id, action: "credit.import" })).toBe(1);
  });

  it("imports nothing from a file with bad rows and reports each problem with its row", async () => {
    const ctx = await setup();
    const bad = code(5).slice(0, 17) + (code(5).endsWith("0") ? "1" : "0");
    const file = csv(
      row(1),
      row(2, { code: bad }),
      row(3, { code: "91510100000000I03X" }),
      row(4, { name: "" }),
      row(5, { condition: "c2017_other" }),
      row(6, { condition: "不存在的情形" }),
      row(7, { listType: "blacklist" }),
      row(8, { type: "company" }),
      row(9, { date: "2025-02-30" }),
      row(10, { date: "2999-01-01" }),
      row(11, { id: "12345" }),
      row(12, { code: "123" }),
      row(13, { decision: "" }),
    );
    const { status, data } = await upload(ctx, file);
    expect(status).toBe(422);
    expect(data.report).toMatchObject({ total: 13, valid: 1, imported: 0, committed: false });
    const errors = data.report?.errors ?? [];
    const at = (r: number) => errors.filter((e) => e.row === r).map((e) => `${e.field}:${e.message}`);
    // Spreadsheet rows: the header is row 1, so the file's n-th data row is row n + 1.
    expect(at(2)).toEqual([]);
    expect(at(3)).toEqual([expect.stringMatching(/^creditCode:errors\.creditCode\.checksum\?expected=/)]);
    expect(at(4)).toEqual(["creditCode:errors.creditCode.character?position=15&character=I"]);
    expect(at(5)).toEqual(["subjectName:creditPublic.import.error.required"]);
    expect(at(6)).toEqual(["condition:creditPublic.import.error.conditionListType"]);
    expect(at(7)).toEqual(["condition:creditPublic.import.error.unknownCondition"]);
    expect(at(8)).toEqual(["listType:creditPublic.import.error.unknownListType"]);
    expect(at(9)).toEqual(["subjectType:creditPublic.import.error.unknownSubjectType"]);
    expect(at(10)).toEqual(["penaltyDecisionDate:creditPublic.import.error.date"]);
    expect(at(11)).toEqual(["penaltyDecisionDate:creditPublic.import.error.futureDate"]);
    expect(at(12)).toEqual(["responsiblePersonIdNumber:creditPublic.import.error.idNumber"]);
    expect(at(13)).toEqual(["creditCode:errors.creditCode.length?length=3"]);
    expect(at(14)).toEqual(["penaltyDecisionNo:creditPublic.import.error.required"]);
    expect(errors).toHaveLength(12);
    expect(await count(ctx.tenant._id)).toBe(0);

    // The downloadable report: BOM, header, one line per problem, translated, parses back.
    expect(data.errorCsv?.startsWith("\uFEFF行号,字段,问题,内容")).toBe(true);
    const parsed = parseCsv((data.errorCsv ?? "").slice(1)).rows;
    expect(parsed).toHaveLength(errors.length + 1);
    expect(parsed.find((r) => r[0] === "4")).toEqual(["4", "统一社会信用代码", expect.stringContaining("第 15 位字符“I”无效"), "91510100000000I03X"]);

    // "Import only the valid rows": exactly the valid one.
    const again = await upload(ctx, file, { validOnly: true });
    expect(again.status).toBe(200);
    expect(again.data.report).toMatchObject({ imported: 1, committed: true });
    const docs = await CreditRecord.find({ tenantId: ctx.tenant._id }).lean();
    expect(docs.map((d) => d.creditCode)).toEqual([code(1)]);
  });

  it("flags duplicates within the file and against existing records; a re-upload imports nothing new", async () => {
    const ctx = await setup();
    await createCreditRecord(ctx.tenant._id, { creditCode: code(9), penaltyDecisionNo: "成应急罚〔2025〕9号", status: "removed" });
    // Another tenant's record with the same key is not a duplicate here.
    const other = await createTenant();
    await createCreditRecord(other._id, { creditCode: code(1), penaltyDecisionNo: "成应急罚〔2025〕1号" });
    const file = csv(row(1), row(2), row(1, { name: "重复行" }), row(9), row(2, { decision: "成应急罚〔2025〕22号" }));
    const first = await upload(ctx, file);
    expect(first.status).toBe(422);
    const errors = first.data.report?.errors ?? [];
    expect(errors.map((e) => [e.row, e.message])).toEqual([
      [4, "creditPublic.import.error.duplicateInFile?row=2"],
      [5, "creditPublic.import.error.duplicateExisting"],
    ]);
    const valid = await upload(ctx, file, { validOnly: true });
    expect(valid.data.report).toMatchObject({ imported: 3 });
    expect(await count(ctx.tenant._id)).toBe(4);

    // The same file again: everything is a duplicate now, nothing new even with validOnly.
    const re = await upload(ctx, file, { validOnly: true });
    expect(re.data.report).toMatchObject({ imported: 0, valid: 0 });
    expect(await count(ctx.tenant._id)).toBe(4);
    const clean = csv(row(30), row(31));
    expect((await upload(ctx, clean)).data.report).toMatchObject({ imported: 2 });
    const twice = await upload(ctx, clean);
    expect(twice.status).toBe(422);
    expect(twice.data.report?.errors.map((e) => e.message)).toEqual([
      "creditPublic.import.error.duplicateExisting",
      "creditPublic.import.error.duplicateExisting",
    ]);
    expect(await count(ctx.tenant._id)).toBe(6);
  });

  it("two simultaneous uploads of the same file import each row once", async () => {
    const ctx = await setup();
    const bytes = new TextEncoder().encode(csv(row(40), row(41), row(42)));
    const actor = { id: ctx.regulator.user._id, email: "r@x", name: "R" };
    const args = { tenantId: ctx.tenant._id, bytes, fileName: "a.csv", actor, validOnly: false, defaultAuthority: "局" };
    const [a, b] = await Promise.all([importCreditCsv(args), importCreditCsv(args)]);
    expect(a.imported + b.imported).toBe(3);
    expect(await count(ctx.tenant._id)).toBe(3);
  });

  it("reads GBK files, refuses files without the required columns or data, and needs the permission", async () => {
    const ctx = await setup();
    // The header as Excel on Chinese Windows saves it (GBK bytes).
    const gbkHeader = Buffer.from(
      "d6f7cce5c3fbb3c62ccdb3d2bbc9e7bbe1d0c5d3c3b4fac2eb2cd6f7cce5c0e0d0cd2cc3fbb5a5c0e0d0cd2cc1d0c8ebc7e9d0ce2cd0d0d5feb4a6b7a3bef6b6a8cae9cec4bac5",
      "hex",
    );
    expect(new TextDecoder("gb18030").decode(gbkHeader)).toBe("主体名称,统一社会信用代码,主体类型,名单类型,列入情形,行政处罚决定书文号");
    const gbkRow = Buffer.from(`\r\n${["ACME", code(50), "enterprise", "serious2023", "c2023_no_licence", "NO-50"].join(",")}\r\n`, "ascii");
    const gbk = await upload(ctx, new Uint8Array(Buffer.concat([gbkHeader, gbkRow])));
    expect(gbk.data.report).toMatchObject({ imported: 1 });

    const missing = await upload(ctx, "主体名称,统一社会信用代码\r\nA,B\r\n");
    expect(missing.status).toBe(400);
    expect(missing.data.error).toMatch(/^creditPublic\.import\.error\.missingColumn\?column=/);
    expect((await upload(ctx, `${HEADER}\r\n`)).data.error).toBe("creditPublic.import.error.empty");
    expect((await upload(ctx, `${HEADER}\r\n"unclosed,a\r\n`)).data.error).toBe("creditPublic.import.error.malformed?line=2");
    expect((await upload(ctx, "")).data.error).toBe("creditPublic.import.error.noFile");

    const enterpriseUser = await createMember(ctx.tenant._id, "enterprise_admin");
    const refused = await upload(ctx, csv(row(60)), { cookie: await cookieFor(enterpriseUser.user._id) });
    expect(refused.status).toBe(403);
    expect(await CreditRecord.countDocuments({ tenantId: ctx.tenant._id, "search.code": code(60) })).toBe(0);
  });

  it("serves a template whose header round-trips into a successful import (Chinese and English)", async () => {
    const ctx = await setup();
    const download = async (cookie: string) => {
      const res = (await templateLoader({
        request: makeRequest(`/t/${ctx.tenant.slug}/credit/import-template.csv`, { cookie }),
        params: { slug: ctx.tenant.slug },
        context: {},
      })) as Response;
      expect(res.status).toBe(200);
      expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
      expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; /);
      return new Uint8Array(await res.arrayBuffer());
    };
    const template = await download(ctx.cookie);
    expect([...template.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(template);
    expect(parseCsv(text).rows[0]?.join(",")).toBe(HEADER);
    // Filled in as a spreadsheet program would save it back (BOM kept).
    const filled = new Uint8Array([...template, ...new TextEncoder().encode(`${row(70)}\r\n`)]);
    expect((await upload(ctx, filled)).data.report).toMatchObject({ imported: 1 });

    const en = await download(`${ctx.cookie}; sg_lang=ImVuIg%3D%3D`);
    const enText = new TextDecoder().decode(en);
    expect(enText).toContain("Subject name,Unified social credit code");
    expect((await upload(ctx, `${enText}${row(71)}\r\n`)).data.report).toMatchObject({ imported: 1 });
    const page = await callLoader(loader, `/t/${ctx.tenant.slug}/credit/import`, { slug: ctx.tenant.slug }, { cookie: ctx.cookie });
    expect(page.data).toMatchObject({ slug: ctx.tenant.slug });
  });
});
