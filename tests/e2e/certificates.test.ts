import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { loginAs, openBrowser, type BrowserSession } from "./browser";

const baseUrl = inject("baseUrl");

/**
 * The demo seed certifies 成都蜀新化工材料股份有限公司 (三级). The regulator finds its certificate,
 * downloads the PDF, checks it publicly, revokes it with a reason, and the public page then says so.
 */
describe("certificates", () => {
  let browser: BrowserSession;
  beforeAll(async () => {
    browser = await openBrowser();
  });
  afterAll(async () => {
    await browser.close();
  });

  it("regulator: PDF, public verification VALID, revoke with a reason → public page says REVOKED with the reason", async () => {
    const { page, context } = browser;
    await context.clearCookies();
    await loginAs(page, baseUrl, "regulator@demo.safegrade.cn");

    await page.getByTestId("main-nav").locator('[data-nav="certificates"]').first().click();
    await page.waitForURL(/\/t\/chengdu\/certificates$/);
    const row = page
      .getByTestId("certificate-table")
      .locator("tr", { hasText: "成都蜀新化工材料股份有限公司" });
    expect(await row.textContent()).toContain("有效");
    await Promise.all([
      page.waitForURL(/\/certificates\/[0-9a-f]{24}$/),
      row.getByRole("link").first().click(),
    ]);
    const number = (await page.getByTestId("certificate-number").textContent()) ?? "";
    expect(number).toMatch(/川AQB[A-Z]{2}[ⅠⅡⅢ]\d{4}00001/);

    // The PDF, with the regulator's session.
    const pdfHref = await page.getByTestId("certificate-pdf").getAttribute("href");
    expect(pdfHref).toMatch(/\.pdf$/);
    const pdf = await page.request.get(`${baseUrl}${pdfHref ?? ""}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()["content-type"]).toBe("application/pdf");
    const bytes = await pdf.body();
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    expect(bytes.length).toBeLessThan(150 * 1024);

    // The public verification page (what the QR code opens), logged out.
    const verifyPath =
      (await page.getByTestId("certificate-verify-link").getAttribute("href")) ?? "";
    expect(verifyPath).toMatch(/^\/verify\/[A-Za-z0-9_-]{22}$/);
    const publicSession = await openBrowser();
    try {
      const res = await publicSession.page.goto(`${baseUrl}${verifyPath}`);
      expect(res?.status()).toBe(200);
      const state = publicSession.page.getByTestId("verify-state");
      expect(await state.getAttribute("data-state")).toBe("VALID");
      expect(await state.textContent()).toContain("证书有效");
      const body = (await publicSession.page.locator("main, body").first().textContent()) ?? "";
      expect(body).toContain("成都蜀新化工材料股份有限公司");
      expect(body).toContain("91510113MA62A1B2C1");
      expect(body).toContain("三级");

      // Revoke, with the reason required.
      await page
        .locator('[data-change="revoke"]')
        .getByRole("button", { name: "撤销证书" })
        .click();
      await expect
        .poll(() => page.locator('[data-change="revoke"] [data-field-error]').textContent())
        .toBeTruthy();
      const reason = "瞒报一起造成2人重伤的生产安全事故";
      await page.locator('[data-change="revoke"] textarea[name="reason"]').fill(reason);
      await page
        .locator('[data-change="revoke"]')
        .getByRole("button", { name: "撤销证书" })
        .click();
      // The confirmation names the consequences before anything happens.
      const dialog = page.getByTestId("revoke-dialog");
      expect(await dialog.textContent()).toContain("不能再次申请定级");
      await dialog.getByRole("button", { name: "确认撤销" }).click();
      await expect.poll(() => page.locator("[data-notice]").textContent()).toContain("证书已撤销");
      expect(await page.locator('[data-status="revoked"]').first().textContent()).toContain(
        "已撤销",
      );
      expect(await page.getByTestId("certificate-history").textContent()).toContain(reason);

      // The public page now says REVOKED, in words, with the date and the reason.
      await publicSession.page.reload();
      expect(await state.getAttribute("data-state")).toBe("REVOKED");
      const text = (await state.textContent()) ?? "";
      expect(text).toContain("证书已撤销");
      expect(text).toContain("被撤销，不再有效");
      expect(await publicSession.page.getByTestId("verify-reason").textContent()).toContain(reason);
      expect(text).not.toMatch(/无效|invalid/i);

      // The JSON API agrees.
      const code = verifyPath.split("/").pop() ?? "";
      const api = await publicSession.page.request.get(
        `${baseUrl}/api/public/certificates/${code}`,
      );
      expect(api.status()).toBe(200);
      expect(await api.json()).toMatchObject({
        state: "REVOKED",
        reason,
        number: number.replace(/^证书\s*/, ""),
      });
    } finally {
      await publicSession.close();
    }
  });

  it("public: the landing page leads to the verification form; an unknown code is a clear 404", async () => {
    const publicSession = await openBrowser();
    try {
      const { page } = publicSession;
      await page.goto(`${baseUrl}/`);
      await Promise.all([page.waitForURL(/\/verify$/), page.getByTestId("landing-verify").click()]);
      await page.getByLabel("核验码").fill("AAAAAAAAAAAAAAAAAAAAAA");
      await Promise.all([
        page.waitForURL(/\/verify\/AAAAAAAAAAAAAAAAAAAAAA$/),
        page.getByRole("button", { name: "核验" }).click(),
      ]);
      await expect.poll(() => page.getByTestId("verify-not-found").isVisible()).toBe(true);
      expect(await page.locator("h1").textContent()).toContain("没有这张证书");
      // Opened directly (as from a QR code), the page answers 404.
      const direct = await page.goto(`${baseUrl}/verify/AAAAAAAAAAAAAAAAAAAAAA`);
      expect(direct?.status()).toBe(404);
      expect(await page.getByTestId("verify-not-found").textContent()).toContain(
        "找不到与该核验码对应的证书",
      );

      // The public registry lists the certified enterprise.
      await page.goto(`${baseUrl}/t/chengdu/registry`);
      expect(await page.getByTestId("registry-table").textContent()).toContain(
        "成都蜀新化工材料股份有限公司",
      );
    } finally {
      await publicSession.close();
    }
  });
});
