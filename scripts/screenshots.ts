/**
 * Screenshots of each role's home (its to-do list) for docs/screenshots/ (issue 17). Builds and
 * starts the app on a private database with the demo data, adds a tenant where every role has
 * something waiting (tests/todo-scenario.ts), and photographs each home in Chromium.
 *   npx tsx scripts/screenshots.ts
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import mongoose from "mongoose";
import { chromium } from "playwright-core";
import { createMember, TEST_PASSWORD } from "../tests/factories";
import { createTodoScenario } from "../tests/todo-scenario";
import { buildApp, startAppProcess } from "./lib/app-process";
import { PROJECT_ROOT } from "./lib/database";
import { DEMO_PASSWORD } from "./lib/seed";

const OUT = path.join(PROJECT_ROOT, "docs/screenshots");

buildApp();
const app = await startAppProcess({ env: { SCHEDULER: "off" } });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
try {
  process.env.MONGODB_URI = app.databaseUri;
  await mongoose.connect(app.databaseUri);
  const s = await createTodoScenario();
  const member = await createMember(s.tenant._id, "enterprise_member", { enterpriseId: s.draftCo.enterprise._id });
  mkdirSync(OUT, { recursive: true });
  const shots: Array<{ file: string; email: string; password: string; slug: string; path: string }> = [
    { file: "home-enterprise-admin.png", email: s.draftCo.admin.email, password: TEST_PASSWORD, slug: s.tenant.slug, path: `/t/${s.tenant.slug}` },
    { file: "home-enterprise-member.png", email: member.user.email, password: TEST_PASSWORD, slug: s.tenant.slug, path: `/t/${s.tenant.slug}` },
    { file: "home-enterprise-barred.png", email: s.listedCo.admin.email, password: TEST_PASSWORD, slug: s.tenant.slug, path: `/t/${s.tenant.slug}` },
    { file: "home-regulator.png", email: s.regulator.email, password: TEST_PASSWORD, slug: s.tenant.slug, path: `/t/${s.tenant.slug}` },
    { file: "home-reviewer.png", email: s.reviewer.email, password: TEST_PASSWORD, slug: s.tenant.slug, path: `/t/${s.tenant.slug}` },
    { file: "home-tenant-admin.png", email: s.tenantAdmin.email, password: TEST_PASSWORD, slug: s.tenant.slug, path: `/t/${s.tenant.slug}` },
    { file: "home-platform-admin.png", email: "platform@demo.safegrade.cn", password: DEMO_PASSWORD, slug: "chengdu", path: "/" },
  ];
  for (const shot of shots) {
    const context = await browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${app.url}/t/${shot.slug}/login`);
    await page.getByLabel(/邮箱|Email/).fill(shot.email);
    await page.getByLabel(/密码|Password/).fill(shot.password);
    await Promise.all([page.waitForURL((url) => !url.pathname.endsWith("/login")), page.getByRole("button", { name: /^(登录|Log in)$/ }).click()]);
    await page.goto(`${app.url}${shot.path}`);
    await page.waitForLoadState("networkidle");
    await page.screenshot({ path: path.join(OUT, shot.file), fullPage: true });
    process.stdout.write(`docs/screenshots/${shot.file}\n`);
    await context.close();
  }
} finally {
  await browser.close();
  await mongoose.disconnect();
  await app.stop();
}
