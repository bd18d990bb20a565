/**
 * One grading application in Chromium, through the workspaces: the enterprise submits → the
 * regulator returns it with a reason → the enterprise sees the reason and resubmits → the
 * regulator accepts and assigns the review body → its admin forms a two-expert panel → the two
 * experts score their elements (the lead deducts one item) → the lead requests rectification of
 * that item, the enterprise answers it with a file, the lead accepts it and reports → the
 * regulator reads the comparison and the review report PDF (pdftotext) → the
 * regulator approves and starts the public notice → the deadlines job, run with a moved clock
 * (scripts/run-jobs.ts against the app's database), ends the notice → the regulator certifies →
 * the enterprise sees "certified".
 *
 * The self-assessment is filled through the app's own endpoints (the wizard's save endpoint and
 * the evidence upload) with the enterprise's session, to keep the test fast; the wizard itself is
 * covered by self-assessment.test.ts.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { SAMPLES } from "../evidence-samples";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");
const databaseUri = inject("databaseUri");
const ROOT = path.resolve(import.meta.dirname, "../..");
const SLUG = "chengdu";
const ENTERPRISE = "small-admin@demo.safegrade.cn";
const REGULATOR = "regulator@demo.safegrade.cn";
const REVIEWER = "reviewer@demo.safegrade.cn";
const REVIEWER2 = "reviewer2@demo.safegrade.cn";
const BODY_ADMIN = "body-admin@demo.safegrade.cn";

type RubricFile = {
  levels: Array<{ key: string }>;
  elements: Array<{
    subElements: Array<{ items: Array<{ id: string; evidenceRequired?: boolean; veto?: boolean }> }>;
  }>;
};
const rubric = JSON.parse(
  readFileSync(path.join(ROOT, "rubrics/small-micro@2025.1.json"), "utf8"),
) as RubricFile;
const items = rubric.elements.flatMap((e) => e.subElements.flatMap((s) => s.items));

const run = promisify(execFile);
/** The one non-veto item the lead deducts (a veto item would leave no level) and asks to rectify. */
const DEDUCTED = items.find((i) => !i.veto)?.id ?? "";

/** The text of a PDF, as poppler's pdftotext reads it. */
async function pdfText(bytes: Buffer): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "review-report-"));
  try {
    const file = path.join(dir, "report.pdf");
    writeFileSync(file, bytes);
    const { stdout } = await run("pdftotext", ["-layout", "-enc", "UTF-8", file, "-"], { timeout: 60_000 });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function switchUser(browser: BrowserSession, email: string): Promise<void> {
  await browser.context.clearCookies();
  await loginAs(browser.page, baseUrl, email);
}

const appState = (page: Page) => page.getByTestId("application-page").getAttribute("data-state");
const action = (page: Page, type: string) => page.locator(`[data-action="${type}"]`);

async function openApplication(page: Page, id: string): Promise<void> {
  await page.goto(`${baseUrl}/t/${SLUG}/applications/${id}`);
  await expect.poll(() => page.getByTestId("application-page").isVisible()).toBe(true);
}

/** Clicks an action's button, confirming in its dialog when it asks (irreversible actions). */
async function clickAction(page: Page, type: string): Promise<void> {
  const box = action(page, type);
  const opener = box.locator('[data-testid$="-open"]');
  // Before hydration a confirmation renders as a plain form ([data-confirm]); wait for its opener.
  if ((await box.locator("[data-confirm]").count()) > 0 || (await opener.count()) > 0) {
    await opener.click();
    await box.locator('dialog[open] [data-testid$="-confirm"]').click();
  } else await box.locator('button[type="submit"]').click();
}

/** Clicks an action's button and waits until the page shows the expected state. */
async function act(page: Page, type: string, expected: string): Promise<void> {
  await clickAction(page, type);
  await expect.poll(() => appState(page), { timeout: 15_000 }).toBe(expected);
}

describe("grading workflow, end to end", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it(
    "takes one application from submission through return, two reviewers and public notice to certification",
    { timeout: 300_000 },
    async () => {
      const { page } = browser;

      // --- Enterprise: start the self-assessment with the start button, fill it in, submit.
      await switchUser(browser, ENTERPRISE);
      await page.goto(`${baseUrl}/t/${SLUG}/assessments`);
      const startForm = page.getByTestId("start-form");
      await expect.poll(() => startForm.isVisible()).toBe(true);
      await Promise.all([
        page.waitForURL(/\/assessments\/[0-9a-f]{24}\/[^/]+$/),
        startForm.locator('button[type="submit"]').click(),
      ]);
      const id = /\/assessments\/([0-9a-f]{24})\//.exec(page.url())?.[1] ?? "";
      expect(id).toMatch(/^[0-9a-f]{24}$/);

      const saved = await page.request.post(`${baseUrl}/t/${SLUG}/assessments/${id}/save`, {
        form: {
          intent: "save",
          version: "0",
          changes: JSON.stringify(
            items.map((item) => ({ itemId: item.id, answer: { choice: "full" } })),
          ),
          performance: "[]",
        },
        headers: { Accept: "application/json" },
      });
      expect(saved.status()).toBe(200);
      for (const item of items.filter((i) => i.evidenceRequired)) {
        const uploaded = await page.request.post(
          `${baseUrl}/t/${SLUG}/assessments/${id}/evidence?itemId=${encodeURIComponent(item.id)}`,
          {
            multipart: {
              file: { name: `${item.id}.pdf`, mimeType: "application/pdf", buffer: SAMPLES.pdf },
            },
          },
        );
        expect(uploaded.status(), `evidence for ${item.id}`).toBe(201);
      }

      await page.goto(`${baseUrl}/t/${SLUG}/applications`);
      await page.locator(`[data-application="${id}"] a`).click();
      await expect.poll(() => appState(page)).toBe("draft.editing");
      expect(await page.getByTestId("submit-facts").textContent()).toContain("100.0");
      await page.locator("#applied-level").selectOption("qualified");
      await act(page, "SUBMIT", "submitted");
      expect(await page.getByTestId("timeline").textContent()).toContain("提交定级申请");

      // --- Regulator: the acceptance queue shows it with its deadline; return it with a reason.
      await switchUser(browser, REGULATOR);
      await page.goto(`${baseUrl}/t/${SLUG}/applications?queue=acceptance`);
      const row = page.locator(`[data-application="${id}"]`);
      await expect.poll(() => row.isVisible()).toBe(true);
      expect(await row.textContent()).toContain("成都青羊区惠民食品加工厂");
      expect(await row.textContent()).toContain("受理期限");
      await row.locator("a").click();
      await expect.poll(() => appState(page)).toBe("submitted");
      // A return without a reason is refused next to the field, in Chinese.
      await action(page, "RETURN").locator('button[type="submit"]').click();
      await expect
        .poll(() => action(page, "RETURN").locator("[data-field-error]").textContent())
        .toContain("请填写理由");
      await action(page, "RETURN")
        .locator("textarea")
        .fill("安全生产责任制文件缺少签字页，请补充后重新提交");
      await act(page, "RETURN", "draft.returned");

      // --- Enterprise: sees the reason, and resubmits the same application.
      await switchUser(browser, ENTERPRISE);
      await openApplication(page, id);
      await expect.poll(() => appState(page)).toBe("draft.returned");
      expect(await page.getByTestId("returned-notice").textContent()).toContain(
        "安全生产责任制文件缺少签字页",
      );
      await act(page, "SUBMIT", "submitted");

      // --- Regulator: accept, assign the demo review body.
      await switchUser(browser, REGULATOR);
      await openApplication(page, id);
      await act(page, "ACCEPT", "accepted");
      await act(page, "ASSIGN_REVIEW_BODY", "reviewBodyAssigned");

      // --- Review body admin: the queue → the panel page; a lone expert is refused, then two with a lead.
      await switchUser(browser, BODY_ADMIN);
      await page.goto(`${baseUrl}/t/${SLUG}/panels`);
      await page.locator(`[data-application="${id}"] a`).click();
      const panelPage = page.getByTestId("panel-page");
      await expect.poll(() => panelPage.getAttribute("data-state")).toBe("reviewBodyAssigned");
      await panelPage.locator(`input[name="reviewerIds"][data-email="${REVIEWER}"]`).check();
      await panelPage.locator(`input[name="leadReviewerId"][data-email="${REVIEWER}"]`).check();
      await panelPage.locator('button[type="submit"]').click();
      await expect
        .poll(() => page.locator('[data-reason="not-enough-reviewers"]').textContent())
        .toContain("人数不足");
      await panelPage.locator(`input[name="reviewerIds"][data-email="${REVIEWER2}"]`).check();
      await panelPage.locator('button[type="submit"]').click();
      await expect
        .poll(() => panelPage.getAttribute("data-state"), { timeout: 15_000 })
        .toBe("reviewAssigned");

      // --- Reviewer (lead): my assignments → review sheet → start, give E7 to the second expert,
      // score every other element in the browser (autosave), confirm; the second expert scores E7
      // and confirms; the lead reports at the level the score gives (preselected only now).
      await switchUser(browser, REVIEWER);
      await page.goto(`${baseUrl}/t/${SLUG}/reviews`);
      await page.locator(`[data-application="${id}"] a`).click();
      const reviewState = () => page.getByTestId("review-screen").getAttribute("data-state");
      await expect.poll(reviewState).toBe("reviewAssigned");
      await action(page, "START_REVIEW").locator('button[type="submit"]').click();
      await expect.poll(reviewState, { timeout: 15_000 }).toBe("underReview.reviewing");
      const reviewUrl = `${baseUrl}/t/${SLUG}/reviews/${id}`;
      const elementIds = [...new Set(items.map((i) => i.id.split(".")[0] ?? ""))];
      const lastElement = elementIds.at(-1) ?? "";
      const split = page.getByTestId("sheet-split");
      await split.locator(`select[name="assign.${lastElement}"]`).selectOption({ index: 1 });
      await split.locator('button[type="submit"]').click();
      await expect.poll(() => page.locator("[data-notice]").first().textContent()).toContain("分工已保存");
      // Not prefilled: the level field waits for a choice while the sheet is incomplete.
      expect(await page.locator("#recommended-level").inputValue()).toBe("");
      const scoreElement = async (elementId: string) => {
        await page.goto(`${reviewUrl}?element=${elementId}`);
        const sheet = page.getByTestId("review-sheet");
        await expect.poll(() => sheet.getAttribute("data-element")).toBe(elementId);
        for (const item of items.filter((i) => i.id.startsWith(`${elementId}.`))) {
          const section = sheet.locator(`section[data-item="${item.id}"]`);
          if (item.id === DEDUCTED) {
            // The one deduction: "does not meet", with the reason in the note.
            await section.locator('input[data-choice="none"]').check();
            await section.locator('textarea[name$=".note"]').fill("制度文件未盖章");
          } else await section.locator('input[data-choice="full"]').check();
        }
        await expect.poll(() => page.getByTestId("save-status").getAttribute("data-status"), { timeout: 15_000 }).toBe("saved");
      };
      // Page weight (issue 13 item 5): one element per page keeps the HTML under 120 KB.
      const html = await (await page.request.get(`${reviewUrl}?element=${elementIds[0] ?? ""}`)).text();
      expect(html.length).toBeLessThan(120_000);
      for (const elementId of elementIds.slice(0, -1)) await scoreElement(elementId);
      await page.goto(reviewUrl);
      await page.getByTestId("confirm-part").click();
      await expect.poll(() => page.locator("[data-notice]").first().textContent()).toContain("您已确认负责的部分");

      await switchUser(browser, REVIEWER2);
      await page.goto(`${reviewUrl}?element=${lastElement}`);
      await scoreElement(lastElement);
      await page.goto(reviewUrl);
      await page.getByTestId("confirm-part").click();
      await expect.poll(() => page.locator("[data-notice]").first().textContent()).toContain("您已确认负责的部分");

      // --- Lead: the rectification request offers the deducted item; ask for it alone.
      await switchUser(browser, REVIEWER);
      const appUrl = `${baseUrl}/t/${SLUG}/applications/${id}`;
      await openApplication(page, id);
      const request = action(page, "REQUEST_RECTIFICATION");
      await request.locator(`input[name="itemIds"][value="${DEDUCTED}"]`).check();
      await request.locator("textarea").fill("请补充该项的制度文件并加盖公章");
      await request.locator('button[type="submit"]').click();
      await expect.poll(() => appState(page), { timeout: 15_000 }).toBe("underReview.rectification");
      expect(await page.locator('[data-testid="rectification-item"]').count()).toBe(1);

      // --- Enterprise: answers the item with a note and a file, submits the rectification.
      await switchUser(browser, ENTERPRISE);
      await page.goto(appUrl);
      const rectItem = page.locator(`[data-testid="rectification-item"][data-item="${DEDUCTED}"]`);
      await expect.poll(() => rectItem.getAttribute("data-status")).toBe("open");
      expect(await rectItem.textContent()).toContain("请补充该项的制度文件并加盖公章");
      await rectItem.locator('textarea[name="note"]').fill("已补充制度文件并盖章，见附件");
      await rectItem.locator('input[type="file"]').setInputFiles({
        name: "整改材料.pdf",
        mimeType: "application/pdf",
        buffer: SAMPLES.pdf,
      });
      await rectItem.locator('button[type="submit"]').first().click();
      await expect.poll(() => rectItem.getAttribute("data-status"), { timeout: 15_000 }).toBe("answered");
      await expect.poll(() => rectItem.locator("a", { hasText: "整改材料.pdf" }).isVisible()).toBe(true);
      await action(page, "SUBMIT_RECTIFICATION").locator('button[type="submit"]').click();
      await expect.poll(() => appState(page), { timeout: 15_000 }).toBe("underReview.reviewing");

      // --- Lead: downloads the file, accepts the item, then reports at the level the score gives.
      await switchUser(browser, REVIEWER);
      await page.goto(appUrl);
      await expect.poll(() => rectItem.getAttribute("data-status")).toBe("answered");
      const href = await rectItem.locator("a", { hasText: "整改材料.pdf" }).getAttribute("href");
      const answerFile = await page.request.get(`${baseUrl}${href ?? ""}`);
      expect(answerFile.status()).toBe(200);
      expect((await answerFile.body()).subarray(0, 5).toString("latin1")).toBe("%PDF-");
      await rectItem.getByRole("button", { name: "验收通过" }).click();
      await expect.poll(() => rectItem.getAttribute("data-status"), { timeout: 15_000 }).toBe("accepted");
      await page.goto(reviewUrl);
      // 99 of 100 points: still "qualified", preselected now the sheet is complete.
      await expect.poll(() => page.locator("#recommended-level").inputValue()).toBe("qualified");
      // The report asks for confirmation first (it cannot be changed afterwards).
      await action(page, "REPORT_REVIEW").getByTestId("report-open").click();
      await action(page, "REPORT_REVIEW").locator('dialog[open] [data-testid="report-confirm"]').click();
      await expect.poll(reviewState, { timeout: 15_000 }).toBe("reviewReported.pendingApproval");

      // --- Regulator: reads the item comparison (filters) and the review report PDF, then approves.
      await switchUser(browser, REGULATOR);
      await openApplication(page, id);
      await page.getByTestId("review-results-links").locator("a").first().click();
      await expect.poll(() => page.getByTestId("comparison-page").isVisible()).toBe(true);
      expect(await page.locator("[data-testid=comparison-rows] tr[data-item]").count()).toBeGreaterThan(0);
      await page.locator('[data-filter-link="diff"]').click();
      await expect.poll(() => page.getByTestId("comparison-page").getAttribute("data-filter")).toBe("diff");
      // The enterprise said "meets" everywhere; the panel differs on the one deducted item only.
      const diffRows = page.locator("[data-testid=comparison-rows] tr[data-item]");
      expect(await diffRows.evaluateAll((els) => els.map((el) => el.getAttribute("data-item")))).toEqual([DEDUCTED]);
      const pdf = await page.request.get(`${baseUrl}/t/${SLUG}/applications/${id}/review-report.pdf`);
      expect(pdf.headers()["content-type"]).toBe("application/pdf");
      const pdfBytes = await pdf.body();
      expect(pdfBytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
      const text = await pdfText(pdfBytes);
      expect(text).toContain("成都青羊区惠民食品加工厂");
      expect(text).toContain("刘洋");
      expect(text).toContain("黄婷");
      expect(text).toMatch(/评审得分\s+99\.0/);
      expect(text).toContain("制度文件未盖章");
      expect(text).toMatch(/推荐等级\s+达标/);
      // The rectification item is listed, with the enterprise's answer, and closed: its line has
      // both the deadline and the completion date (an open item shows "—" for the latter).
      const rectSection = text.slice(text.indexOf("整改项及完成情况"), text.lastIndexOf("推荐等级"));
      expect(rectSection, text).toContain("已补充制度文件并盖章");
      const rectLine = rectSection.split("\n").find((l) => l.trimStart().startsWith(DEDUCTED));
      expect(rectLine, text).toMatch(/\d{4}\/\d{2}\/\d{2}\s+\d{4}\/\d{2}\/\d{2}\s*$/);
      // The enterprise does not see the results before the decision.
      await switchUser(browser, ENTERPRISE);
      await openApplication(page, id);
      expect(await page.getByTestId("review-results-links").count()).toBe(0);

      // --- Regulator: approve and start the public notice; the public sees it without logging in.
      await switchUser(browser, REGULATOR);
      await openApplication(page, id);
      await act(page, "APPROVE", "approved");
      // After the decision the enterprise sees its review results.
      await switchUser(browser, ENTERPRISE);
      await openApplication(page, id);
      expect(await page.getByTestId("review-results-links").count()).toBe(1);
      await switchUser(browser, REGULATOR);
      await openApplication(page, id);
      await act(page, "START_NOTICE", "publicNotice.running");
      await browser.context.clearCookies();
      await page.goto(`${baseUrl}/t/${SLUG}/notices`);
      await expect.poll(() => page.locator(`[data-notice="${id}"]`).isVisible()).toBe(true);
      expect(await page.locator(`[data-notice="${id}"]`).textContent()).toContain(
        "成都青羊区惠民食品加工厂",
      );
      // One objection form on the page, opened from the notice it is about.
      const notice = page.locator(`[data-notice="${id}"]`);
      expect(await page.getByRole("button", { name: "提交异议" }).count()).toBe(0);
      await notice.getByRole("link", { name: "对该企业提出异议" }).click();
      await expect.poll(() => notice.getByLabel("异议内容及事实依据").isVisible()).toBe(true);
      expect(await page.getByRole("button", { name: "提交异议" }).count()).toBe(1);

      // --- The deadlines job, with the clock moved past the end of the notice.
      const later = new Date(Date.now() + 30 * 24 * 60 * 60 * 1000).toISOString();
      const { stdout } = await run(
        path.join(ROOT, "node_modules/.bin/tsx"),
        [path.join(ROOT, "scripts/run-jobs.ts"), "--now", later, "--job", "grading-deadlines"],
        {
          cwd: ROOT,
          env: { ...process.env, MONGODB_URI: databaseUri, LOG_LEVEL: "warn" },
          timeout: 120_000,
        },
      );
      const result = JSON.parse(stdout) as {
        ran: Array<{ name: string; result: string }>;
        failed: unknown[];
      };
      expect(result.failed).toEqual([]);
      expect(result.ran).toEqual([
        { name: "grading-deadlines", result: expect.stringContaining("ended 1 notices") },
      ]);

      // --- Regulator: certify.
      await switchUser(browser, REGULATOR);
      await openApplication(page, id);
      await expect.poll(() => appState(page)).toBe("publicNotice.ended");
      await act(page, "CERTIFY", "certified");

      // --- Enterprise: sees "certified", and the whole history.
      await switchUser(browser, ENTERPRISE);
      await openApplication(page, id);
      await expect.poll(() => appState(page)).toBe("certified");
      expect(await page.getByTestId("certified-notice").textContent()).toContain("已定级为");
      const events = await page
        .locator("[data-testid=timeline] [data-event]")
        .evaluateAll((els) => els.map((el) => el.getAttribute("data-event")));
      expect(events.reverse()).toEqual([
        "started",
        "SUBMIT",
        "RETURN",
        "SUBMIT",
        "ACCEPT",
        "ASSIGN_REVIEW_BODY",
        "ASSIGN_REVIEWERS",
        "START_REVIEW",
        "REQUEST_RECTIFICATION",
        "SUBMIT_RECTIFICATION",
        "REPORT_REVIEW",
        "APPROVE",
        "START_NOTICE",
        "NOTICE_ENDED",
        "CERTIFY",
      ]);
    },
  );
});
