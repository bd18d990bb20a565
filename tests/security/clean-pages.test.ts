/**
 * No NUL byte or U+FFFD in any server-rendered page (issue 17). React 18.3's Node stream renderer
 * split multi-byte characters at chunk boundaries ("扣分原�因"); the app now renders with the web
 * stream renderer. This test fetches EVERY route of the route table (app/routes), with its params
 * filled from the seeded demo data, as each role, and fails on `\x00` or U+FFFD in any HTML. It also
 * fails when a page route renders (200) for no role at all: a test that fetches only 404s proves
 * nothing.
 */
import mongoose from "mongoose";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { DEMO_PASSWORD } from "../../scripts/lib/seed";
import { readRouteTable } from "./route-table";

const baseUrl = inject("baseUrl");
const databaseUri = inject("databaseUri");
const origin = new URL(baseUrl).origin;

type Role = { name: string; email: string | null };
const ROLES: Role[] = [
  { name: "anonymous", email: null },
  { name: "enterprise-admin", email: "chem-admin@demo.safegrade.cn" },
  { name: "enterprise-member", email: "ent-member@demo.safegrade.cn" },
  { name: "regulator", email: "regulator@demo.safegrade.cn" },
  { name: "reviewer", email: "reviewer@demo.safegrade.cn" },
  { name: "tenant-admin", email: "admin@demo.safegrade.cn" },
  { name: "platform-admin", email: "platform@demo.safegrade.cn" },
];

/**
 * Pages that answer something other than 200 for every role by design (the route still renders
 * its HTML, which is checked too): the splat's 404, links with a token nobody has here, and routes
 * that only redirect.
 */
const NEVER_200: Record<string, string> = {
  "$.tsx": "unknown URLs: the 404 page",
  "t.$slug.invite.$token.tsx": "an invitation token exists only in an email",
  "t.$slug.reset-password.$token.tsx": "a reset token exists only in an email",
  "t.$slug.logout.tsx": "GET redirects home",
  "set-locale.tsx": "GET redirects back",
  "t.$slug.assessments.$id.save.tsx": "save endpoint: POST only",
  "t.$slug.assessments.$id.evidence.tsx": "upload endpoint: POST only",
  "t.$slug.assessments.$id.evidence.$fileId.tsx": "the demo application's evidence are references without files",
  "t.$slug.credit.$id_.files.$fileId.tsx": "the demo credit records have no uploaded files",
  "bench.baseline.tsx": "benchmark route, off outside the benchmark",
  "t.$slug.assessments.$id._index.tsx": "redirects to the first element's page",
  "t.$slug.admin.outbox.captured.tsx": "captured mail is a development page (production build here)",
  "t.$slug.rubrics.$id_.preview.tsx": "only a tenant's own rubric versions have a preview; the demo tenant has none",
  "t.$slug.reviews.$id.save.tsx": "review sheet save endpoint: POST only",
  "t.$slug.applications.$id_.rectification.tsx": "rectification answer endpoint: POST only",
  "t.$slug.applications.$id_.rectification.$fileId.tsx": "the demo has no rectification files",
  "t.$slug.panels.$id.tsx": "no demo application is with a review body yet (the panel page is a 404 for others)",
  "t.$slug.yearly-reports.$id.tsx": "the demo's certificates are too new to owe a yearly report",
};

const cookies = new Map<string, string>();
const values = new Map<string, string>();

async function login(email: string): Promise<string> {
  const res = await fetch(`${baseUrl}/t/chengdu/login`, {
    method: "POST",
    headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password: DEMO_PASSWORD, redirectTo: "/t/chengdu" }),
    redirect: "manual",
  });
  return res.headers.getSetCookie().find((c) => c.startsWith("__sg_session="))?.split(";")[0] ?? "";
}

/** Real values for every route parameter, read from the seeded demo tenant. */
async function collectValues() {
  const db = mongoose.connection.db;
  if (!db) throw new Error("no database");
  const tenant = await db.collection("tenants").findOne({ slug: "chengdu" });
  if (!tenant) throw new Error("demo tenant missing");
  const tenantId = tenant._id;
  const one = (name: string, filter: Record<string, unknown> = {}) => db.collection(name).findOne({ tenantId, ...filter });
  const app = await one("assessments", { state: "certified" });
  const certificate = await one("certificates");
  const credit = await one("credit_records", { status: "published" });
  const publication = await db.collection("credit_publications").findOne({ tenantId });
  const enterprise = app ? await one("enterprises", { _id: app.enterpriseId }) : null;
  const rubric = app ? await db.collection("rubric_versions").findOne({ _id: app.rubricVersionId }) : null;
  const weights = await db.collection("weight_profiles").findOne({});
  const outbox = await one("outbox_messages");
  const membership = await one("memberships", { role: "regulator" });
  const content: unknown = typeof rubric?.contentJson === "string" ? JSON.parse(rubric.contentJson) : null;
  const set = (key: string, value: unknown) => {
    if (value !== undefined && value !== null) values.set(key, String(value));
  };
  set("slug", "chengdu");
  set("assessments", app?._id);
  set("applications", app?._id);
  set("reviews", app?._id);
  set("certificates", certificate?._id);
  set("credit", credit?._id);
  set("credit-registry", publication?._id);
  set("enterprises", enterprise?._id);
  set("criteria", rubric?._id);
  set("rubrics", rubric?._id);
  set("weights", weights?._id);
  set("outbox", outbox?._id);
  set("membershipId", membership?._id);
  set("panels", app?._id);
  set("yearly-reports", certificate?._id);
  set("verify", certificate?.verifyCode);
  set("code", certificate?.verifyCode);
  const elements: unknown = typeof content === "object" && content !== null && "elements" in content ? content.elements : null;
  if (Array.isArray(elements)) {
    const first: unknown = elements[0];
    if (typeof first === "object" && first !== null && "id" in first) set("elementId", first.id);
  }
}

function fill(pattern: string): string {
  const parts = pattern.split("/");
  return parts
    .map((part, i) => {
      if (part === "*") return "no-such-page";
      if (!part.startsWith(":")) return part;
      const name = part.slice(1).replace(/\..*$/, "");
      const suffix = part.slice(1 + name.length);
      const value = values.get(name) ?? values.get(parts[i - 1] ?? "") ?? "000000000000000000000000";
      return encodeURIComponent(value) + suffix;
    })
    .join("/");
}

const routes = readRouteTable();
const rendered = new Map<string, string[]>();
const problems: string[] = [];
let pages = 0;

beforeAll(async () => {
  await mongoose.connect(databaseUri);
  // One real email in the outbox (a password reset), so the outbox message page has a message.
  await fetch(`${baseUrl}/t/chengdu/forgot-password`, {
    method: "POST",
    headers: { Origin: origin, "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: "ent-member@demo.safegrade.cn" }),
    redirect: "manual",
  });
  await collectValues();
  for (const role of ROLES) {
    if (!role.email) continue;
    const cookie = await login(role.email);
    if (!cookie) throw new Error(`demo login failed for ${role.email}`);
    cookies.set(role.name, cookie);
  }
}, 120_000);

afterAll(async () => {
  process.stdout.write(`\nclean pages: ${pages} HTML pages checked over ${routes.length} routes × ${ROLES.length} roles\n`);
  await mongoose.disconnect();
});

describe("server-rendered pages", () => {
  it("has every route parameter filled from the demo data", () => {
    const missing = routes.flatMap((r) => r.params.map((p) => p.replace(/\..*$/, "")).filter((p) => !values.has(p) && !["id", "token", "fileId"].includes(p)).map((p) => `${r.file}: ${p}`));
    expect(missing).toEqual([]);
    for (const key of ["assessments", "certificates", "credit", "credit-registry", "enterprises", "criteria", "outbox", "elementId", "verify"])
      expect(values.has(key), key).toBe(true);
  });

  it("contain no NUL byte and no U+FFFD, for every route and every role", async () => {
    const tasks = routes.flatMap((route) => ROLES.map((role) => ({ route, role })));
    let next = 0;
    const worker = async () => {
      while (next < tasks.length) {
        const task = tasks[next++];
        if (!task) continue;
        const url = fill(task.route.pattern);
        const cookie = cookies.get(task.role.name);
        const res = await fetch(`${baseUrl}${url}`, { headers: { Accept: "text/html", ...(cookie ? { Cookie: cookie } : {}) }, redirect: "manual" });
        const type = res.headers.get("content-type") ?? "";
        const body = Buffer.from(await res.arrayBuffer());
        if (res.status >= 500) problems.push(`${res.status} ${url} as ${task.role.name}`);
        if (!type.includes("text/html")) continue;
        pages += 1;
        const text = body.toString("utf8");
        if (body.includes(0)) problems.push(`NUL byte in ${url} as ${task.role.name}`);
        const bad = text.indexOf("\uFFFD");
        if (bad >= 0) problems.push(`U+FFFD in ${url} as ${task.role.name}: …${text.slice(Math.max(0, bad - 40), bad + 20)}…`);
        if (res.status === 200) rendered.set(task.route.file, [...(rendered.get(task.route.file) ?? []), task.role.name]);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    expect(problems).toEqual([]);
    expect(pages).toBeGreaterThan(routes.length);
  }, 240_000);

  it("renders every page route (200) for at least one role", () => {
    const pageRoutes = routes.filter((r) => r.file.endsWith(".tsx") && !/\[\.\w+\]/.test(r.file) && !(r.file in NEVER_200));
    // A layout route renders whenever one of its child pages does.
    const renderedPatterns = routes.filter((r) => rendered.has(r.file)).map((r) => r.pattern);
    const isRendered = (r: (typeof routes)[number]) => rendered.has(r.file) || renderedPatterns.some((p) => p.startsWith(`${r.pattern}/`));
    const unrendered = pageRoutes.filter((r) => !isRendered(r)).map((r) => r.file);
    expect(unrendered).toEqual([]);
  });
});
