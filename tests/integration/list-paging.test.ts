/**
 * Every list a user pages through answers a hand-made page number with a bounded page (status 200,
 * at most 100 rows), never an error; the assessment list sends slim rows, never answers
 * (decision 012).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { saveAnswers, startAssessment } from "~/data/assessments.server";
import { importRubricFiles } from "~/data/rubrics.server";
import { MAX_PAGE, MAX_PAGE_SIZE, pageParam } from "~/lib/paging";
import { loader as applications } from "~/routes/t.$slug.applications._index";
import { loader as assessments } from "~/routes/t.$slug.assessments._index";
import { loader as audit } from "~/routes/t.$slug.admin.audit";
import { loader as outbox } from "~/routes/t.$slug.admin.outbox._index";
import { loader as users } from "~/routes/t.$slug.admin.users";
import { loader as certificates } from "~/routes/t.$slug.certificates._index";
import { loader as credit } from "~/routes/t.$slug.credit._index";
import { loader as tenantCreditRegistry } from "~/routes/t.$slug.credit-registry._index";
import { loader as enterprises } from "~/routes/t.$slug.enterprises._index";
import { loader as notices } from "~/routes/t.$slug.notices";
import { loader as registrations } from "~/routes/t.$slug.registrations";
import { loader as registry } from "~/routes/t.$slug.registry";
import { loader as creditRegistry } from "~/routes/credit-registry._index";
import { loader as creditApi } from "~/routes/api.public.credit-records";
import { cookieFor, createEnterprise, createMember, createTenant } from "../factories";
import { callLoader } from "../route-helpers";

beforeEach(async () => {
  expect((await importRubricFiles()).errors).toEqual([]);
});

const NOTE = "仅在答案里出现的说明文字-slim-check";

async function world() {
  const tenant = await createTenant();
  const enterprise = await createEnterprise(tenant._id);
  const admin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: enterprise._id });
  const regulator = await createMember(tenant._id, "regulator");
  const tenantAdmin = await createMember(tenant._id, "tenant_admin");
  const actor = { id: admin.user._id, email: admin.user.email, role: "enterprise_admin" as const };
  const started = await startAssessment({ tenantId: tenant._id, enterpriseId: enterprise._id, actor, cycle: "2026" });
  if (!started.ok) throw new Error(`start failed: ${started.error}`);
  const saved = await saveAnswers({
    tenantId: tenant._id,
    id: String(started.assessment._id),
    expectedVersion: started.assessment.version,
    actor,
    changes: [{ itemId: "E1.1.1", answer: { choice: "full", note: NOTE } }],
  });
  expect(saved.ok).toBe(true);
  return {
    tenant,
    cookies: {
      enterprise: await cookieFor(admin.user._id),
      regulator: await cookieFor(regulator.user._id),
      tenantAdmin: await cookieFor(tenantAdmin.user._id),
    },
  };
}

/** Every array of rows in the loader data (lists nest them under `items`, `list.items`, …). */
function rowArrays(value: unknown, out: unknown[][] = []): unknown[][] {
  if (Array.isArray(value)) {
    if (value.some((v) => typeof v === "object" && v !== null)) out.push(value);
    for (const v of value) rowArrays(v, out);
  } else if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) rowArrays(v, out);
  }
  return out;
}

describe("list paging", () => {
  it("reads page numbers as whole numbers from 1 to MAX_PAGE, anything else as page 1", () => {
    expect(pageParam("3")).toBe(3);
    expect(pageParam(String(MAX_PAGE))).toBe(MAX_PAGE);
    for (const raw of [null, "", "0", "-1", "abc", "1e400", "2.5", String(MAX_PAGE + 1), "99999999999999999999"]) expect(pageParam(raw), String(raw)).toBe(1);
  });

  it("answers page=5000 and size=10000 on every list with a bounded page, and never a 5xx for a malformed page", async () => {
    const w = await world();
    const slug = w.tenant.slug;
    const lists: Array<[string, Parameters<typeof callLoader>[0], string, string | null]> = [
      ["assessments (enterprise)", assessments, `/t/${slug}/assessments`, w.cookies.enterprise],
      ["assessments (tenant)", assessments, `/t/${slug}/assessments`, w.cookies.regulator],
      ["applications", applications, `/t/${slug}/applications`, w.cookies.regulator],
      ["enterprises", enterprises, `/t/${slug}/enterprises`, w.cookies.regulator],
      ["certificates", certificates, `/t/${slug}/certificates`, w.cookies.regulator],
      ["credit records", credit, `/t/${slug}/credit`, w.cookies.regulator],
      ["registrations", registrations, `/t/${slug}/registrations`, w.cookies.tenantAdmin],
      ["audit log", audit, `/t/${slug}/admin/audit`, w.cookies.tenantAdmin],
      ["outbox", outbox, `/t/${slug}/admin/outbox`, w.cookies.tenantAdmin],
      ["users", users, `/t/${slug}/admin/users`, w.cookies.tenantAdmin],
      ["notices", notices, `/t/${slug}/notices`, null],
      ["certificate registry", registry, `/t/${slug}/registry`, null],
      ["tenant credit registry", tenantCreditRegistry, `/t/${slug}/credit-registry`, null],
      ["credit registry", creditRegistry, "/credit-registry", null],
    ];
    for (const [name, loader, path, cookie] of lists) {
      for (const query of ["page=5000", "page=5000&size=10000&pageSize=10000", "page=1e400", "page=-3", "page=abc"]) {
        const res = await callLoader(loader, `${path}?${query}`, { slug }, cookie ? { cookie } : {});
        // A page past the end is an ordinary (empty) page; a malformed number is read as page 1 or
        // refused with a 400 by the lists that validate their query (audit log, outbox, users).
        if (query.startsWith("page=5000")) expect(res.status, `${name} ?${query}`).toBe(200);
        else expect([200, 400], `${name} ?${query}`).toContain(res.status);
        for (const rows of rowArrays(res.data)) expect(rows.length, `${name} ?${query}`).toBeLessThanOrEqual(MAX_PAGE_SIZE);
      }
    }
    // The JSON API refuses a page size over 100 with a translated 400 (docs/api.md) and takes 100.
    expect((await callLoader(creditApi, "/api/public/credit-records?pageSize=10000", {})).status).toBe(400);
    expect((await callLoader(creditApi, "/api/public/credit-records?pageSize=100&page=5000", {})).status).toBe(200);
  });

  it("the assessment list sends slim rows: no answers, no notes", async () => {
    const w = await world();
    for (const cookie of [w.cookies.enterprise, w.cookies.regulator]) {
      const res = await callLoader(assessments, `/t/${w.tenant.slug}/assessments`, { slug: w.tenant.slug }, { cookie });
      expect(res.status).toBe(200);
      const json = JSON.stringify(res.data);
      expect(json).toContain("2026");
      expect(json).not.toContain(NOTE);
      expect(json).not.toContain('"answers"');
      expect(json).not.toContain("E1.1.1");
    }
  });
});
