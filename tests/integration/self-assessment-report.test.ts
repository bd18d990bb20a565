import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Types } from "mongoose";
import { afterAll, describe, expect, it } from "vitest";
import { Assessment, type StoredAnswer } from "../../models/assessment";
import { RubricVersion } from "../../models/rubric-version";
import { getRubricVersion, importRubricFiles } from "~/data/rubrics.server";
import type { Rubric } from "~/lib/rubric/schema";
import { localeCookie } from "~/locale.server";
import { loader as reportLoader } from "~/routes/t.$slug.assessments.$id.report[.pdf]";
import { cookieFor, createEnterprise, createMember, createTenant } from "../factories";

const ENTERPRISE = "成都安泰机械制造有限公司";
const tmp = mkdtempSync(path.join(os.tmpdir(), "sg-report-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function items(rubric: Rubric) {
  return rubric.elements.flatMap((e) => e.subElements.flatMap((s) => s.items));
}

async function setup(
  rubricKey: string,
  answersFor: (rubric: Rubric) => Array<StoredAnswer & { itemId: string }>,
) {
  await importRubricFiles();
  const tenant = await createTenant();
  const meta = await RubricVersion.findOne({ tenantId: null, key: rubricKey }).lean();
  if (!meta) throw new Error(`rubric ${rubricKey} not imported`);
  const loaded = await getRubricVersion({ tenantId: tenant._id, id: meta._id });
  if (!loaded) throw new Error("rubric not readable");
  const enterprise = await createEnterprise(tenant._id, {
    name: ENTERPRISE,
    creditCode: "914403001922038216",
    sizeClass: "small",
  });
  const admin = await createMember(tenant._id, "enterprise_admin", {
    enterpriseId: enterprise._id,
  });
  const assessment = await Assessment.create({
    tenantId: tenant._id,
    enterpriseId: enterprise._id,
    cycle: "2026",
    rubricVersionId: meta._id,
    rubricKey: meta.key,
    rubricVersion: meta.version,
    createdBy: admin.user._id,
    answers: answersFor(loaded.rubric),
    version: 7,
  });
  return {
    tenant,
    rubric: loaded.rubric,
    enterprise,
    admin,
    assessment,
    cookie: await cookieFor(admin.user._id),
  };
}

async function fetchReport(slug: string, id: Types.ObjectId, cookie: string, locale?: string) {
  const lang = locale ? (await localeCookie.serialize(locale)).split(";")[0] : null;
  const headers = new Headers({ Cookie: lang ? `${cookie}; ${lang}` : cookie });
  const request = new Request(
    `http://localhost:3000/t/${slug}/assessments/${String(id)}/report.pdf`,
    { headers },
  );
  try {
    const response = await reportLoader({ request, params: { slug, id: String(id) }, context: {} });
    return {
      status: response.status,
      headers: response.headers,
      bytes: Buffer.from(await response.arrayBuffer()),
    };
  } catch (thrown) {
    if (thrown instanceof Response)
      return { status: thrown.status, headers: thrown.headers, bytes: Buffer.alloc(0) };
    throw thrown;
  }
}

function pdfTool(tool: "pdftotext" | "pdffonts", bytes: Buffer, name: string): string {
  const file = path.join(tmp, `${name}.pdf`);
  writeFileSync(file, bytes);
  const args = tool === "pdftotext" ? ["-enc", "UTF-8", file, "-"] : [file];
  return execFileSync(tool, args, { encoding: "utf8" });
}

/** Small/micro rubric: mostly full points, a few findings with reasons, the last items unanswered. */
function smallMicroAnswers(rubric: Rubric): Array<StoredAnswer & { itemId: string }> {
  const all = items(rubric);
  return all.slice(0, all.length - 3).map((item): StoredAnswer & { itemId: string } => {
    if (item.id === "E1.1.2")
      return {
        itemId: item.id,
        choice: "partial",
        deductions: [{ rule: "b", count: 1, note: "目标未分解到班组" }],
      };
    if (item.id === "E1.2.1")
      return {
        itemId: item.id,
        choice: "partial",
        deductions: [{ rule: "b", count: 2, note: "台账缺少记录" }],
      };
    if (item.id === "E1.1.4")
      return { itemId: item.id, choice: "none", note: "未配备安全管理人员" };
    return { itemId: item.id, choice: "full" };
  });
}

describe("self-assessment report PDF", () => {
  it("renders Chinese content, the deductions table and page numbers with an embedded subset font", async () => {
    const ctx = await setup("small-micro", smallMicroAnswers);
    const started = performance.now();
    const res = await fetchReport(ctx.tenant.slug, ctx.assessment._id, ctx.cookie);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("application/pdf");
    expect(res.headers.get("Content-Disposition")).toMatch(
      /^inline; filename="[^"]+\.pdf"; filename\*=UTF-8''/,
    );
    expect(res.bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(res.bytes.length).toBeLessThan(200 * 1024);

    const text = pdfTool("pdftotext", res.bytes, "small-micro");
    for (const expected of [
      "企业安全生产标准化自评报告",
      ENTERPRISE,
      "914403001922038216",
      "小微企业安全生产标准化评分细则",
      "扣分点及原因说明",
      "目标未分解到班组",
      "台账缺少记录",
      "未配备安全管理人员",
      "各要素得分",
      "未作答的评分项（3 项）",
      "缺少证明材料的评分项",
    ]) {
      expect(text, expected).toContain(expected);
    }
    // pdftotext drops the narrow spaces between Chinese characters and digits.
    expect(text.replace(/\s+/g, "")).toMatch(/第1页\/共\d+页/);

    const fonts = pdfTool("pdffonts", res.bytes, "small-micro-fonts");
    const noto = fonts.split("\n").filter((line) => /NotoSansSC/.test(line));
    expect(noto.length).toBeGreaterThanOrEqual(1);
    for (const line of noto) {
      // name: a 6-letter subset tag + "+", then type, encoding, emb = yes, sub = yes.
      expect(line).toMatch(/^[A-Z]{6}\+NotoSansSC/);
      expect(line).toMatch(/\byes\s+yes\s+yes\b/);
    }
    // Generous bound (first render reads and parses the 10 MB fonts); a warm render takes ~0.2 s here.
    expect(elapsed).toBeLessThan(15_000);
  });

  it("gives identical bytes for the same data, and different bytes once the data changes", async () => {
    const ctx = await setup("small-micro", smallMicroAnswers);
    const first = await fetchReport(ctx.tenant.slug, ctx.assessment._id, ctx.cookie);
    const second = await fetchReport(ctx.tenant.slug, ctx.assessment._id, ctx.cookie);
    expect(first.bytes.equals(second.bytes)).toBe(true);
    await Assessment.updateOne(
      { tenantId: ctx.tenant._id, _id: ctx.assessment._id },
      { $set: { "answers.0.choice": "none" }, $inc: { version: 1 } },
    );
    const changed = await fetchReport(ctx.tenant.slug, ctx.assessment._id, ctx.cookie);
    expect(changed.bytes.equals(first.bytes)).toBe(false);
  });

  it("lists the next level and its best candidates for a tiered rubric, and renders in English", async () => {
    const ctx = await setup("general-tier3", (rubric) =>
      items(rubric).map((item, i) =>
        i % 4 === 0 ? { itemId: item.id, choice: "none" } : { itemId: item.id, choice: "full" },
      ),
    );
    const zh = pdfTool(
      "pdftotext",
      (await fetchReport(ctx.tenant.slug, ctx.assessment._id, ctx.cookie)).bytes,
      "tier3",
    );
    expect(zh).toContain("达到更高等级");
    expect(zh).toMatch(/距“[一二]级”/);
    expect(zh).toContain("可提高");
    const en = await fetchReport(ctx.tenant.slug, ctx.assessment._id, ctx.cookie, "en");
    expect(en.status).toBe(200);
    const enText = pdfTool("pdftotext", en.bytes, "tier3-en");
    expect(enText).toContain("Deductions and reasons");
    expect(enText).toContain(ENTERPRISE);
    expect(enText).toMatch(/Page 1 of \d+/);
  });

  it("is 404 for another enterprise's member and readable by the regulator", async () => {
    const ctx = await setup("small-micro", smallMicroAnswers);
    const other = await createMember(ctx.tenant._id, "enterprise_admin");
    expect(
      (await fetchReport(ctx.tenant.slug, ctx.assessment._id, await cookieFor(other.user._id)))
        .status,
    ).toBe(404);
    const regulator = await createMember(ctx.tenant._id, "regulator");
    expect(
      (await fetchReport(ctx.tenant.slug, ctx.assessment._id, await cookieFor(regulator.user._id)))
        .status,
    ).toBe(200);
    const reviewer = await createMember(ctx.tenant._id, "reviewer");
    expect(
      (await fetchReport(ctx.tenant.slug, ctx.assessment._id, await cookieFor(reviewer.user._id)))
        .status,
    ).toBe(404);
  });
});
