/** The credit-record form picks its subject from the enterprise directory, or takes a typed one (issue 17). */
import { describe, expect, it } from "vitest";
import { loader as newLoader } from "~/routes/t.$slug.credit.new";
import { cookieFor, createEnterprise, createMember, createTenant } from "../factories";
import { callLoader } from "../route-helpers";

type Page = { matches: Array<{ id: string; name: string; creditCode: string }> | null; picked: { id: string; name: string; creditCode: string } | null };

describe("credit subject picker", () => {
  it("finds enterprises by name or code, fills the picked one, and answers other tenants' ids with nothing", async () => {
    const tenant = await createTenant();
    const other = await createTenant();
    const wanted = await createEnterprise(tenant._id, { name: "锦江示例化工有限公司" });
    await createEnterprise(tenant._id, { name: "青羊示例机械有限公司" });
    const foreign = await createEnterprise(other._id, { name: "锦江示例化工有限公司" });
    const regulator = await createMember(tenant._id, "regulator");
    const cookie = await cookieFor(regulator.user._id);
    const url = (query: string) => `/t/${tenant.slug}/credit/new${query}`;
    const load = async (query: string) => (await callLoader(newLoader, url(query), { slug: tenant.slug }, { cookie })).data as Page;

    expect((await load("")).matches).toBeNull();
    const byName = await load("?q=锦江");
    expect(byName.matches?.map((m) => m.id)).toEqual([String(wanted._id)]);
    const byCode = await load(`?q=${wanted.creditCode.slice(0, 10)}`);
    expect(byCode.matches?.map((m) => m.id)).toEqual([String(wanted._id)]);
    expect((await load("?q=不存在的企业")).matches).toEqual([]);

    expect((await load(`?pick=${String(wanted._id)}`)).picked).toEqual({ id: String(wanted._id), name: wanted.name, creditCode: wanted.creditCode });
    expect((await load(`?pick=${String(foreign._id)}`)).picked).toBeNull();
    expect((await load("?pick=not-an-id")).picked).toBeNull();

    const enterpriseAdmin = await createMember(tenant._id, "enterprise_admin", { enterpriseId: wanted._id });
    const refused = await callLoader(newLoader, url("?q=锦江"), { slug: tenant.slug }, { cookie: await cookieFor(enterpriseAdmin.user._id) });
    expect(refused.status).toBe(403);
  });
});
