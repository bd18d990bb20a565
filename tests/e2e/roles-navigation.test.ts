import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");

/** What each demo role must (and must not) see in the main navigation. */
const EXPECTED: Array<{ email: string; sees: string[]; hidden: string[] }> = [
  { email: "admin@demo.safegrade.cn", sees: ["home", "dashboard", "enterprises", "registrations", "users", "audit", "rubrics", "assessments", "certificates", "credit", "outbox"], hidden: ["my-enterprise", "applications", "reviews"] },
  { email: "regulator@demo.safegrade.cn", sees: ["home", "dashboard", "enterprises", "registrations", "assessments", "applications", "certificates", "credit"], hidden: ["users", "audit", "my-enterprise", "reviews", "outbox"] },
  { email: "reviewer@demo.safegrade.cn", sees: ["home", "reviews"], hidden: ["enterprises", "registrations", "users", "audit", "my-enterprise", "assessments", "applications", "certificates", "credit", "dashboard", "outbox"] },
  { email: "ent-admin@demo.safegrade.cn", sees: ["home", "my-enterprise", "users", "assessments", "applications", "certificates", "credit"], hidden: ["enterprises", "registrations", "audit", "reviews", "dashboard", "outbox"] },
  { email: "ent-member@demo.safegrade.cn", sees: ["home", "my-enterprise", "assessments", "applications", "certificates"], hidden: ["enterprises", "registrations", "users", "audit", "reviews"] },
  { email: "platform@demo.safegrade.cn", sees: ["home", "enterprises", "registrations", "users", "audit", "assessments", "applications", "reviews", "certificates"], hidden: [] },
];

describe("each role sees its own navigation", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  for (const role of EXPECTED) {
    it(`${role.email}`, async () => {
      const { page, context } = browser;
      await context.clearCookies();
      await loginAs(page, baseUrl, role.email);
      await expect.poll(() => page.getByTestId("welcome").isVisible()).toBe(true);
      const navKeys = await page.locator("[data-testid=main-nav] [data-nav]").evaluateAll((els) =>
        els.map((el) => el.getAttribute("data-nav")),
      );
      for (const key of role.sees) expect(navKeys).toContain(key);
      for (const key of role.hidden) expect(navKeys).not.toContain(key);
      // Logging out returns to the public tenant page.
      await page.getByRole("button", { name: "退出登录" }).click();
      await expect.poll(() => page.getByRole("link", { name: "登录工作台" }).isVisible()).toBe(true);
    });
  }

  it("switches the language to English and back", async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await page.goto(`${baseUrl}/t/chengdu/login`);
    await expect.poll(() => page.locator("h1").textContent()).toContain("登录");
    await page.getByTestId("language-switch").click();
    await expect.poll(() => page.locator("h1").textContent()).toContain("Log in to Chengdu");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    await page.getByTestId("language-switch").click();
    await expect.poll(() => page.locator("h1").textContent()).toContain("登录");
  });

  it("shows translated field errors for bad input and a 404 page for an unknown tenant", async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await page.goto(`${baseUrl}/t/chengdu/login`);
    await page.getByLabel("邮箱").fill("regulator@demo.safegrade.cn");
    await page.getByLabel("密码").fill("definitely-wrong-1");
    await page.getByRole("button", { name: "登录" }).click();
    await expect.poll(() => page.locator("[data-form-error]").textContent()).toContain("邮箱或密码不正确");
    const res = await page.goto(`${baseUrl}/t/no-such-city/login`);
    expect(res?.status()).toBe(404);
    expect(await page.locator("h1").textContent()).toContain("页面不存在");
  });
});
