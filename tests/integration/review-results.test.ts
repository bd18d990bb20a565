/**
 * Step 10 (issue 14 item 5) on the real database: after the report the authority reads the
 * item-by-item comparison (it got 403 on the review page before); the enterprise reads its review
 * results only after the decision and only while the tenant shows them; the review report PDF is
 * deterministic and says what it must (checked with pdftotext).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { Tenant } from "../../models/tenant";
import { loadReviewReportData } from "~/data/grading/review-report.server";
import { getRubricVersion, importRubricFiles } from "~/data/rubrics.server";
import { rubricItems } from "~/lib/assessment/answers";
import { renderReviewReportBuffer } from "~/pdf/review-report.server";
import { loader as comparisonLoader } from "~/routes/t.$slug.applications.$id_.comparison";
import { loader as pdfLoader } from "~/routes/t.$slug.applications.$id_.review-report[.pdf]";
import { loader as reviewLoader } from "~/routes/t.$slug.reviews.$id";
import { cookieFor } from "../factories";
import { callLoader } from "../route-helpers";
import { completeReviewSheet } from "../review-sheet";
import { days, expectOk, gradingSetup, send, underReview, type GradingSetup } from "../grading-fixtures";

beforeEach(async () => {
  const report = await importRubricFiles();
  expect(report.errors).toEqual([]);
});

type Row = { itemId: string; differs: boolean; deducted: boolean; review: { deductions: Array<{ note: string }> } };

/** Under review; the lead deducts one point on the first item that has rules, everything else meets. */
async function reported(s: GradingSetup) {
  const app = await underReview(s);
  const loaded = await getRubricVersion({ tenantId: s.tenant._id, id: app.rubricVersionId });
  if (!loaded) throw new Error("rubric missing");
  const deducted = rubricItems(loaded.rubric).find((i) => i.deductionRules.length > 0);
  const rule = deducted?.deductionRules[0];
  if (!deducted || !rule) throw new Error("no deduction rule");
  const params = { slug: s.tenant.slug, id: String(app._id) };
  const base = `/t/${s.tenant.slug}/applications/${String(app._id)}`;
  const regulatorCookie = await cookieFor(s.regulator.user._id);
  // Before the report: nothing to compare yet (403), and the review page is still the panel's (403).
  expect((await callLoader(comparisonLoader, `${base}/comparison`, params, { cookie: regulatorCookie })).status).toBe(403);
  expect((await callLoader(reviewLoader, `/t/${s.tenant.slug}/reviews/${String(app._id)}`, params, { cookie: regulatorCookie })).status).toBe(403);
  await completeReviewSheet({
    tenantId: s.tenant._id,
    id: app._id,
    scorer: s.m.lead,
    members: [s.m.lead, s.m.second],
    answerFor: (item) => (item.id === deducted.id ? { choice: "partial", deductions: [{ rule: rule.id, count: 1, note: "三级教育记录缺两人" }] } : { choice: "full" }),
    now: days(2),
  });
  await expectOk(await send(s, app._id, s.m.lead, { type: "REPORT_REVIEW", recommendedLevel: "qualified", reason: "评审组一致推荐" }, days(3)));
  return { app, deducted, params, base, regulatorCookie };
}

describe("review results", () => {
  it("the authority reads the item comparison with filters; an expert off the panel gets 404", async () => {
    const s = await gradingSetup();
    const { deducted, params, base, regulatorCookie } = await reported(s);
    const all = await callLoader(comparisonLoader, `${base}/comparison`, params, { cookie: regulatorCookie });
    expect(all.status).toBe(200);
    const data = all.data as { rows: Row[]; counts: { diff: number; deductions: number }; report: { reason: string; level: string }; selfScore: number; reviewScore: number };
    expect(data.report).toMatchObject({ reason: "评审组一致推荐", level: "达标" });
    expect(data.selfScore).toBe(100);
    expect(data.reviewScore).toBeLessThan(100);
    expect(data.counts).toEqual({ diff: 1, deductions: 1 });
    // Unfiltered: one element per page.
    expect(new Set(data.rows.map((r) => r.itemId.split(".")[0])).size).toBe(1);

    for (const only of ["diff", "deductions"]) {
      const filtered = await callLoader(comparisonLoader, `${base}/comparison?only=${only}`, params, { cookie: regulatorCookie });
      const rows = (filtered.data as { rows: Row[] }).rows;
      expect(rows.map((r) => r.itemId)).toEqual([deducted.id]);
      expect(rows[0]?.review.deductions[0]?.note).toBe("三级教育记录缺两人");
    }
    // The panel reads it too; an expert who is not on it does not learn it exists.
    expect((await callLoader(comparisonLoader, `${base}/comparison`, params, { cookie: await cookieFor(s.second.user._id) })).status).toBe(200);
    expect((await callLoader(comparisonLoader, `${base}/comparison`, params, { cookie: await cookieFor(s.outsider.user._id) })).status).toBe(404);
    const pdf = await callLoader(pdfLoader, `${base}/review-report.pdf`, params, { cookie: regulatorCookie });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get("Content-Type")).toBe("application/pdf");
  });

  it("the enterprise sees its results only after the decision, and only while the tenant shows them", async () => {
    const s = await gradingSetup();
    const { app, params, base } = await reported(s);
    const cookie = await cookieFor(s.admin.user._id);
    expect((await callLoader(comparisonLoader, `${base}/comparison`, params, { cookie })).status).toBe(403);
    expect((await callLoader(pdfLoader, `${base}/review-report.pdf`, params, { cookie })).status).toBe(403);
    await expectOk(await send(s, app._id, s.m.regulator, { type: "APPROVE" }, days(4)));
    const after = await callLoader(comparisonLoader, `${base}/comparison?only=deductions`, params, { cookie });
    expect(after.status).toBe(200);
    expect((after.data as { rows: Row[] }).rows).toHaveLength(1);
    expect((await callLoader(pdfLoader, `${base}/review-report.pdf`, params, { cookie })).status).toBe(200);
    await Tenant.updateOne({ _id: s.tenant._id }, { $set: { "settings.showReviewResultsToEnterprise": false } });
    expect((await callLoader(comparisonLoader, `${base}/comparison`, params, { cookie })).status).toBe(403);
    expect((await callLoader(pdfLoader, `${base}/review-report.pdf`, params, { cookie })).status).toBe(403);
    // The authority is not affected by the setting.
    expect((await callLoader(comparisonLoader, `${base}/comparison`, params, { cookie: await cookieFor(s.regulator.user._id) })).status).toBe(200);
  });

  it("the review report PDF: same data → same bytes; the text names the enterprise, the panel, the deduction, the level and the signatures", async () => {
    const s = await gradingSetup();
    const { app, deducted } = await reported(s);
    const load = () => loadReviewReportData({ tenantId: s.tenant._id, id: String(app._id), member: s.m.regulator, locale: "zh-CN" });
    const [a, b] = await Promise.all([load(), load()]);
    if (!a.ok || !b.ok) throw new Error("report data refused");
    const [one, two] = await Promise.all([renderReviewReportBuffer(a.data), renderReviewReportBuffer(b.data)]);
    expect(one.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(one.equals(two)).toBe(true);
    // A different report (another reason) is another document.
    const other = await renderReviewReportBuffer({ ...a.data, reason: "另一说明" });
    expect(other.equals(one)).toBe(false);

    const dir = mkdtempSync(path.join(tmpdir(), "review-report-"));
    try {
      const file = path.join(dir, "r.pdf");
      writeFileSync(file, one);
      const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"], { encoding: "utf8" }).replace(/\s+/g, " ");
      for (const expected of [
        "安全生产标准化定级评审报告",
        s.enterprise.name,
        s.enterprise.creditCode,
        "评审组",
        "组长",
        "组员",
        a.data.panel[0]?.name ?? "?",
        a.data.panel[1]?.name ?? "?",
        "各要素得分",
        "扣分项",
        deducted.id,
        "三级教育记录缺两人",
        "整改项及完成情况",
        "无整改项",
        "推荐等级",
        "达标",
        "评审组一致推荐",
        "评审组成员签字",
      ]) {
        expect(text).toContain(expected);
      }
      expect(text).toContain(a.data.score?.toFixed(1) ?? "?");
      // The panel's certificate numbers come from the expert register.
      const numbers = a.data.panel.map((m) => m.certificateNo);
      expect(numbers.every((n) => typeof n === "string" && n.length > 0)).toBe(true);
      for (const n of numbers) expect(text).toContain(n ?? "?");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
