import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");

/** Presses Tab until the focused element matches `selector` (keyboard-only navigation). */
async function tabTo(page: Page, selector: string, max = 120): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached ${selector}`);
}

const focusedName = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute("name") ?? "");
const saveStatus = (page: Page) => page.getByTestId("save-status").getAttribute("data-status");
const liveScore = (page: Page) => page.getByTestId("live-score").textContent();
const item = (page: Page, id: string) => page.locator(`[data-item="${id}"]`);

describe("enterprise self-assessment wizard", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("starts, answers by keyboard with a live score, autosaves, restores an offline edit, and summarises", async () => {
    const { page } = browser;
    await loginAs(page, baseUrl, "ent-admin@demo.safegrade.cn");

    // Start: the machinery company (medium size) is offered the general rubric.
    await page.getByTestId("main-nav").locator('[data-nav="assessments"]').first().click();
    await page.waitForURL(/\/assessments$/);
    const form = page.getByTestId("start-form");
    await expect.poll(() => form.isVisible()).toBe(true);
    expect(await form.textContent()).toContain("推荐");
    await Promise.all([page.waitForURL(/\/assessments\/[0-9a-f]{24}\/E1$/), form.getByRole("button", { name: "开始自评" }).click()]);
    const elementUrl = page.url();
    await expect.poll(() => liveScore(page)).toBe("0.0");
    await expect.poll(() => saveStatus(page)).toBe("saved");

    // The first item's radio group is announced with the item as its name.
    const group = page.getByRole("group", { name: /^E1\.1\.1 / });
    expect(await group.count()).toBe(1);
    expect(await group.getByRole("radio").count()).toBe(3);
    expect(await group.getByRole("radio", { name: "部分符合" }).count()).toBe(1);

    // E1.1.1 "meets": Tab into the radio group, Space picks the first option.
    await tabTo(page, 'input[name="items.0.choice"]');
    await page.keyboard.press("Space");
    expect(await item(page, "E1.1.1").locator('input[value="full"]').isChecked()).toBe(true);
    await expect.poll(() => liveScore(page)).toBe("0.5");

    // E1.1.2 "partly meets": arrow keys move within the group; then one deduction of rule b (−2) with its reason.
    await tabTo(page, 'input[name="items.1.choice"]');
    await page.keyboard.press("Space");
    await page.keyboard.press("ArrowRight");
    expect(await item(page, "E1.1.2").locator('input[value="partial"]').isChecked()).toBe(true);
    await tabTo(page, 'input[name="items.1.counts.1"]');
    await page.keyboard.press("ArrowUp");
    expect(await item(page, "E1.1.2").locator('input[name="items.1.counts.1"]').inputValue()).toBe("1");
    await page.keyboard.press("Tab");
    expect(await focusedName(page)).toBe("items.1.ruleNotes.1");
    await page.keyboard.type("年度目标未分解到车间");
    await expect.poll(() => liveScore(page)).toBe("0.8");
    expect(await item(page, "E1.1.2").locator("[data-item-score]").textContent()).toContain("3 / 5");

    // Autosave (debounced) and the answers survive a reload.
    await expect.poll(() => saveStatus(page), { timeout: 10_000 }).toBe("saved");
    await page.reload();
    await expect.poll(() => item(page, "E1.1.2").locator('input[value="partial"]').isChecked()).toBe(true);
    expect(await item(page, "E1.1.1").locator('input[value="full"]').isChecked()).toBe(true);
    expect(await item(page, "E1.1.2").locator('input[name="items.1.ruleNotes.1"]').inputValue()).toBe("年度目标未分解到车间");
    expect(await liveScore(page)).toBe("0.8");
    expect(await page.getByTestId("wizard-notice").count()).toBe(0);

    // Offline: saves fail; the edit is kept on this device and restored after a reload.
    await page.route("**/assessments/*/save", (route) => route.abort("internetdisconnected"));
    // Offline, a beacon on reload would fail too; without this stub Chromium may still deliver it.
    await page.evaluate(() => {
      navigator.sendBeacon = () => false;
    });
    await tabTo(page, 'input[name="items.2.choice"]');
    await page.keyboard.press("Space");
    await expect.poll(() => liveScore(page)).toBe("1.3");
    await expect.poll(() => saveStatus(page), { timeout: 10_000 }).toBe("offline");
    await page.reload();
    await expect.poll(() => page.getByTestId("wizard-notice").getAttribute("data-notice-kind")).toBe("restored");
    expect(await page.getByTestId("wizard-notice").textContent()).toContain("已从本机恢复 1 项");
    expect(await item(page, "E1.1.3").locator('input[value="full"]').isChecked()).toBe(true);
    expect(await liveScore(page)).toBe("1.3");

    // Back online: the restored edit is saved by the retry.
    await page.unroute("**/assessments/*/save");
    await expect.poll(() => saveStatus(page), { timeout: 15_000 }).toBe("saved");
    await page.goto(elementUrl);
    await expect.poll(() => item(page, "E1.1.3").locator('input[value="full"]').isChecked()).toBe(true);
    expect(await page.getByTestId("wizard-notice").count()).toBe(0);

    // Summary: score, and the deduction with its reason in the 扣分点及原因说明 table.
    await page.getByTestId("summary-link").focus();
    await Promise.all([page.waitForURL(/\/summary$/), page.keyboard.press("Enter")]);
    await expect.poll(() => page.getByTestId("summary-score").textContent()).toBe("1.3");
    const deductions = page.getByTestId("summary-deductions");
    const row = deductions.locator('[data-deduction="E1.1.2"]');
    expect(await row.textContent()).toContain("年度目标未分解到车间");
    expect(await row.textContent()).toContain("−2");
    // Missing answers link to the exact item.
    const link = page.getByTestId("summary-missing-answers").locator('a[href$="#item-E1.1.4"]');
    expect(await link.count()).toBe(1);
    await link.evaluate((a) => a.closest("details")?.setAttribute("open", ""));
    await Promise.all([page.waitForURL(/\/E1\?item=E1\.1\.4#item-E1\.1\.4$/), link.click()]);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id ?? "")).toBe("item-E1.1.4");

    // E1 has 19 items: the wizard shows it in two parts, listed under E1 in the outline.
    const form1 = page.locator("form[data-element=E1]");
    expect(await form1.getAttribute("data-part")).toBe("1");
    expect(await page.locator("#element-nav [data-part-link]").count()).toBe(2);
    const progress = await page.getByTestId("live-progress").textContent();
    // An old link to an item of part 2 opens that part and focuses the item.
    await Promise.all([page.waitForURL(/\/E1\?item=E1\.4\.1#item-E1\.4\.1$/), page.goto(`${elementUrl}#item-E1.4.1`)]);
    await expect.poll(() => page.locator("form[data-element=E1]").getAttribute("data-part")).toBe("2");
    await expect.poll(() => page.evaluate(() => document.activeElement?.id ?? "")).toBe("item-E1.4.1");
    expect(await page.getByTestId("live-progress").textContent()).toBe(progress);
    expect(await item(page, "E1.1.1").count()).toBe(0);
    // Back to part 1 through the previous-part link; its answers are still there.
    const prev = page.locator('a[rel="prev"]');
    expect(await prev.textContent()).toContain("上一部分");
    await Promise.all([page.waitForURL(/\/E1$/), prev.click()]);
    await expect.poll(() => item(page, "E1.1.1").locator('input[value="full"]').isChecked()).toBe(true);
  });
});
