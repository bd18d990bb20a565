import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");
// Server round trips on a loaded two-core machine: give each wait more than the default second.
const WAIT = { timeout: 15_000 };

describe("a tenant admin revises a rubric", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("clones hazchem-tier, edits it with inline validation, compares, previews and publishes it", async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await loginAs(page, baseUrl, "admin@demo.safegrade.cn");

    // The navigation leads to the rubric list.
    await page.locator("[data-testid=main-nav] [data-nav=rubrics]").click();
    await page.waitForURL(/\/t\/chengdu\/rubrics$/);
    await page.waitForLoadState("networkidle");

    await Promise.all([
      page.waitForURL(/\/t\/chengdu\/rubrics\/[0-9a-f]{24}$/),
      page.getByTestId("clone-hazchem-tier@2025.1").click(),
    ]);
    const draftUrl = page.url();
    const ref = (await page.getByTestId("rubric-ref").textContent())?.trim() ?? "";
    expect(ref).toMatch(/^hazchem-tier@2025\.1-chengdu\.\d+$/);
    expect(await page.getByTestId("rubric-status").getAttribute("data-status")).toBe("draft");
    // The editor needs the client bundle: wait until the page is interactive.
    await page.waitForLoadState("networkidle");
    const editor = page.getByTestId("rubric-editor");
    await expect.poll(() => editor.getAttribute("data-revision"), WAIT).toBe("0");

    // Open element E1 and change one item's points and one threshold.
    await page.getByTestId("toggle-E1").click();
    await expect.poll(() => page.getByTestId("points-E1.1.1").isVisible(), WAIT).toBe(true);
    await page.getByTestId("points-E1.1.1").fill("8");
    await page.getByTestId("minScore-level3").fill("85");
    await expect.poll(() => page.getByTestId("total-points").textContent(), WAIT).toContain("498");
    expect(await page.getByTestId("unsaved").count()).toBe(1);

    // A bad value is refused before anything is sent, and shown next to its item and at the top.
    await page.getByTestId("points-E1.1.2").fill("0");
    await page.getByTestId("save-draft").click();
    await expect
      .poll(() => page.getByTestId("item-issues-E1.1.2").textContent(), WAIT)
      .toContain("须大于 0");
    expect(await page.getByTestId("issues").textContent()).toContain("E1.1.2");
    expect(await page.getByTestId("points-E1.1.2").getAttribute("aria-invalid")).toBe("true");
    expect(await editor.getAttribute("data-revision")).toBe("0");

    // Fixing it clears the problem; a new name for this version; saving stores revision 1.
    await page.getByTestId("points-E1.1.2").fill("8");
    await page.getByTestId("rubric-title-zh").fill("成都市危化品企业评分细则（试行）");
    await expect.poll(() => page.getByTestId("item-issues-E1.1.2").count(), WAIT).toBe(0);
    await page.getByTestId("save-draft").click();
    await expect.poll(() => editor.getAttribute("data-revision"), WAIT).toBe("1");
    await expect
      .poll(() => page.locator("[data-notice]").textContent(), WAIT)
      .toContain("草稿已保存");
    expect(await page.getByTestId("points-E1.1.1").inputValue()).toBe("8");
    // Saved means nothing is unsaved any more.
    await expect.poll(() => page.getByTestId("unsaved").count(), WAIT).toBe(0);

    // The diff shows the change against the parent.
    await Promise.all([page.waitForURL(/\/diff$/), page.getByTestId("open-diff").click()]);
    const changed = page.locator('[data-testid=diff-changed] [data-item="E1.1.1"]');
    await expect.poll(() => changed.textContent(), WAIT).toMatch(/10\s*→\s*8/);
    expect(
      await page.locator("[data-testid=diff-levels] [data-level=level3]").textContent(),
    ).toMatch(/80\s*→\s*85/);
    expect(await page.getByTestId("diff-totals").textContent()).toMatch(/500\s*→\s*498/);

    // The re-score preview opens (the demo tenant may have no submitted applications yet).
    await Promise.all([page.waitForURL(/\/preview$/), page.getByTestId("open-preview").click()]);
    await expect
      .poll(
        async () =>
          (await page.getByTestId("preview-empty").count()) +
          (await page.getByTestId("preview-table").count()),
        WAIT,
      )
      .toBe(1);

    // Publish, after confirming.
    await page.waitForLoadState("networkidle");
    await page.locator("[data-testid=publish] summary").click();
    // The dialog says what publishing changes: the system version it replaces, and the total change to confirm.
    expect(await page.getByTestId("publish-replaces").textContent()).toMatch(/取代系统评分标准 hazchem-tier@2025\.\d/);
    expect(await page.getByTestId("publish-audience").textContent()).toContain("开始自评");
    expect(await page.getByTestId("publish-total-change").textContent()).toMatch(/500 分改为 498 分/);
    await page.getByTestId("confirm-total").check();
    await Promise.all([
      page.waitForURL(/published=1$/),
      page.getByTestId("confirm-publish").click(),
    ]);
    expect(page.url().startsWith(draftUrl)).toBe(true);
    await expect
      .poll(() => page.getByTestId("rubric-status").getAttribute("data-status"), WAIT)
      .toBe("published");
    expect(await page.locator("[data-notice]").textContent()).toContain("已发布");
    expect(await page.getByTestId("rubric-editor").count()).toBe(0);

    // The list shows it as published, and its public page needs no login.
    await page.goto(`${baseUrl}/t/chengdu/rubrics`);
    const row = page.locator(`[data-rubric="${ref}"]`);
    expect(await row.getByTestId("rubric-status").getAttribute("data-status")).toBe("published");
    expect(await row.textContent()).toContain("成都市危化品企业评分细则（试行）");
    await context.clearCookies();
    const id = draftUrl.split("/").pop() ?? "";
    const res = await page.goto(`${baseUrl}/t/chengdu/criteria/${id}`);
    expect(res?.status()).toBe(200);
    expect(await page.getByTestId("public-criteria").textContent()).toContain(ref);
    expect(await page.locator('[data-item="E1.1.1"]').textContent()).toContain("8");
  });
});
