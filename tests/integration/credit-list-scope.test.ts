/**
 * The dashboard's credit drill-down keeps its district / industry filters: the credit list shows
 * only records of enterprises in that scope, linked by enterprise id or by credit code (the rule
 * the dashboard counts with).
 */
import { describe, expect, it } from "vitest";
import { CreditRecord } from "../../models/credit-record";
import { loader as listLoader } from "~/routes/t.$slug.credit._index";
import { createCreditRecord } from "../credit-fixtures";
import { cookieFor, createEnterprise, createMember, createTenant } from "../factories";
import { callLoader } from "../route-helpers";

type ListData = { items: Array<{ subjectName: string }>; total: number; filters: { district: string; industry: string } };

describe("credit list scoped by district and industry", () => {
  it("lists only the records of enterprises in the district/industry, by link or by credit code", async () => {
    const tenant = await createTenant();
    const regulator = await createMember(tenant._id, "regulator");
    const cookie = await cookieFor(regulator.user._id);
    const slug = tenant.slug;
    const jinjiangMachinery = await createEnterprise(tenant._id, { districtCode: "510104", industry: "machinery", name: "锦江机械有限公司" });
    const jinjiangLight = await createEnterprise(tenant._id, { districtCode: "510104", industry: "light", name: "锦江轻工有限公司" });
    const qingyang = await createEnterprise(tenant._id, { districtCode: "510105", industry: "machinery", name: "青羊机械有限公司" });
    const linked = await createCreditRecord(tenant._id, { subjectName: "锦江机械有限公司", creditCode: jinjiangMachinery.creditCode });
    await CreditRecord.updateOne({ _id: linked._id, tenantId: tenant._id }, { $set: { enterpriseId: jinjiangMachinery._id } });
    await createCreditRecord(tenant._id, { subjectName: "锦江轻工有限公司", creditCode: jinjiangLight.creditCode }); // by code only
    await createCreditRecord(tenant._id, { subjectName: "青羊机械有限公司", creditCode: qingyang.creditCode });
    await createCreditRecord(tenant._id, { subjectName: "未登记主体有限公司" });

    const list = async (query: string) => {
      const res = await callLoader(listLoader, `/t/${slug}/credit${query}`, { slug }, { cookie });
      expect(res.status).toBe(200);
      const data = res.data as ListData;
      return { names: data.items.map((i) => i.subjectName).sort(), filters: data.filters };
    };
    expect((await list("")).names).toHaveLength(4);
    expect((await list("?district=510104")).names).toEqual(["锦江机械有限公司", "锦江轻工有限公司"].sort());
    expect((await list("?district=510104&industry=machinery")).names).toEqual(["锦江机械有限公司"]);
    expect((await list("?industry=machinery&status=published")).names).toEqual(["锦江机械有限公司", "青羊机械有限公司"].sort());
    expect((await list("?district=510104&q=" + encodeURIComponent("轻工"))).names).toEqual(["锦江轻工有限公司"]);
    // Unknown values are ignored (not an error, not an empty list).
    const ignored = await list("?district=999999&industry=nope");
    expect(ignored.names).toHaveLength(4);
    expect(ignored.filters).toMatchObject({ district: "", industry: "" });
  });
});
