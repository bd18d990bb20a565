import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export type BrowserSession = { context: BrowserContext; page: Page; close(): Promise<void> };

/** A fresh Chromium profile per call (Debian's chromium; Playwright's own browser download cannot work here). */
export async function openBrowser(options: { locale?: string } = {}): Promise<BrowserSession> {
  const profile = mkdtempSync(path.join(os.tmpdir(), "safegrade-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    args: FLAGS,
    headless: true,
    locale: options.locale ?? "zh-CN",
    viewport: { width: 1280, height: 800 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function loginAs(page: Page, baseUrl: string, email: string, password = "Demo#2026safe", slug = "chengdu") {
  await page.goto(`${baseUrl}/t/${slug}/login`);
  await page.getByLabel(/邮箱|Email/).fill(email);
  await page.getByLabel(/密码|Password/).fill(password);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith("/login")), page.getByRole("button", { name: /^(登录|Log in)$/ }).click()]);
}
