import { startInsideOneWindow } from "../rate-window";
import { describe, expect, it } from "vitest";
import {
  REGISTRY_RATE_LIMIT,
  getPublicCreditRecord,
  hitRegistryRateLimit,
  searchCreditRegistry,
} from "~/data/credit-registry.server";
import { parseCsv } from "~/data/credit-import.server";
import { loader as allCsvLoader } from "~/routes/credit-registry[.csv]";
import { loader as allDetailLoader } from "~/routes/credit-registry.$id";
import { loader as allLoader } from "~/routes/credit-registry._index";
import { loader as tenantCsvLoader } from "~/routes/t.$slug.credit-registry[.csv]";
import { loader as tenantDetailLoader } from "~/routes/t.$slug.credit-registry.$id";
import { loader as tenantLoader } from "~/routes/t.$slug.credit-registry._index";
import { createCreditRecord } from "../credit-fixtures";
import { createTenant } from "../factories";
import { callLoader, makeRequest } from "../route-helpers";

type Item = Record<string, unknown> & { id: string; subjectName: string; creditCode: string };
type PageData = { kind: string; total: number; items: Item[]; page: number; pageSize: number };

const CODE = "91510100MA6CGUGA1W";

async function world() {
  const chengdu = await createTenant({ slug: "chengdu-x", zh: "成都市应急管理局" });
  const mianyang = await createTenant({ slug: "mianyang-x", zh: "绵阳市应急管理局" });
  const abc = await createCreditRecord(chengdu._id, {
    subjectName: "ABC化工（成都）有限公司",
    creditCode: CODE,
    conditionKey: "c2023_major_accident",
    listedAt: new Date(Date.UTC(2025, 2, 1)),
    idNumber: "510104198001011234",
  });
  const shuxin = await createCreditRecord(chengdu._id, {
    subjectName: "成都蜀新化工材料股份有限公司",
    conditionKey: "c2023_concealed_accident",
    listedAt: new Date(Date.UTC(2024, 6, 1)),
  });
  const old2017 = await createCreditRecord(chengdu._id, {
    subjectName: "成都老黑名单机械厂",
    listType: "dishonest2017",
    conditionKey: "c2017_hazard_unfixed",
    listedAt: new Date(Date.UTC(2023, 0, 10)),
  });
  const draft = await createCreditRecord(chengdu._id, { subjectName: "成都草稿化工有限公司", status: "draft" });
  const notified = await createCreditRecord(chengdu._id, { subjectName: "成都告知化工有限公司", status: "notified" });
  const removed = await createCreditRecord(chengdu._id, { subjectName: "成都已移出化工有限公司", status: "removed" });
  const mian = await createCreditRecord(mianyang._id, { subjectName: "绵阳蜀新化工有限公司" });
  return { chengdu, mianyang, abc, shuxin, old2017, draft, notified, removed, mian };
}

const page = async (url: string, params: Record<string, string> = {}) => {
  const loader = params.slug ? tenantLoader : allLoader;
  const res = await callLoader(loader, url, params);
  expect(res.status).toBe(200);
  return res.data as PageData;
};
const names = (d: PageData) => d.items.map((i) => i.subjectName).sort();

describe("public credit registry: search", () => {
  it("finds by partial name; full-width and lower-case Latin input match; only published records", async () => {
    const w = await world();
    expect(names(await page("/credit-registry?q=化工"))).toEqual(
      ["ABC化工（成都）有限公司", "成都蜀新化工材料股份有限公司", "绵阳蜀新化工有限公司"].sort(),
    );
    expect(names(await page("/credit-registry?q=蜀新"))).toEqual(["成都蜀新化工材料股份有限公司", "绵阳蜀新化工有限公司"]);
    // Full-width "ＡＢＣ", lower case "abc", and a space inside: all the same query.
    for (const q of ["ＡＢＣ化工", "abc化工", "a b c", "ａｂｃ"]) {
      expect(names(await page(`/credit-registry?q=${encodeURIComponent(q)}`))).toEqual(["ABC化工（成都）有限公司"]);
    }
    // Drafts, notices in progress and removed records never show, by any query.
    for (const q of ["草稿", "告知", "已移出", ""]) {
      const d = await page(`/credit-registry?q=${encodeURIComponent(q)}`);
      for (const hidden of [w.draft, w.notified, w.removed]) expect(d.items.map((i) => i.id)).not.toContain(String(hidden._id));
    }
    expect((await page("/credit-registry")).total).toBe(4);
    // Regex metacharacters are text, not patterns.
    expect((await page(`/credit-registry?q=${encodeURIComponent("（成都）")}`)).total).toBe(1);
    expect((await page(`/credit-registry?q=${encodeURIComponent(".*")}`)).total).toBe(0);
    // Full-width brackets are stored half-width, so "(" is an ordinary character that matches.
    expect((await page(`/credit-registry?q=${encodeURIComponent("(成都")}`)).total).toBe(1);
    expect((await page(`/credit-registry?q=${encodeURIComponent("[")}`)).total).toBe(0);
  });

  it("finds by credit code: exact, prefix, lower case and full width", async () => {
    const w = await world();
    for (const q of [CODE, CODE.toLowerCase(), "91510100MA6", "９１５１０１００ＭＡ６", "91510100 ma6c"]) {
      const d = await page(`/credit-registry?q=${encodeURIComponent(q)}`);
      expect(d.items.map((i) => i.id)).toEqual([String(w.abc._id)]);
    }
    // A code that is only a prefix of nothing.
    expect((await page("/credit-registry?q=91510100MA7")).total).toBe(0);
  });

  it("filters by condition, year and list type, and pages in listing order (newest first)", async () => {
    const w = await world();
    expect((await page("/credit-registry?condition=c2023_major_accident")).items.map((i) => i.id)).toEqual([String(w.abc._id)]);
    expect((await page("/credit-registry?year=2024")).items.map((i) => i.id)).toEqual([String(w.shuxin._id)]);
    expect((await page("/credit-registry?listType=dishonest2017")).items.map((i) => i.id)).toEqual([String(w.old2017._id)]);
    expect((await page("/credit-registry?q=化工&year=2025")).total).toBe(2);
    // Bad filter values on the page are ignored (the API refuses them).
    expect((await page("/credit-registry?year=abc&condition=nope&page=-1")).total).toBe(4);

    const paged = await searchCreditRegistry({
      query: { q: "", condition: "", year: null, listType: "", page: 2, pageSize: 2 },
      tenantId: null,
    });
    expect(paged.total).toBe(4);
    expect(paged.items).toHaveLength(2);
    const first = await searchCreditRegistry({
      query: { q: "", condition: "", year: null, listType: "", page: 1, pageSize: 2 },
      tenantId: null,
    });
    const order = [...first.items, ...paged.items].map((i) => i.listedAt ?? "");
    expect(order).toEqual([...order].sort().reverse());
  });

  it("scopes to a tenant: the tenant page, the tenant filter and the detail pages", async () => {
    const w = await world();
    const cd = await page(`/t/${w.chengdu.slug}/credit-registry?q=蜀新`, { slug: w.chengdu.slug });
    expect(names(cd)).toEqual(["成都蜀新化工材料股份有限公司"]);
    expect((await page(`/t/${w.mianyang.slug}/credit-registry`, { slug: w.mianyang.slug })).total).toBe(1);
    expect(names(await page(`/credit-registry?tenant=${w.mianyang.slug}`))).toEqual(["绵阳蜀新化工有限公司"]);
    // An unknown tenant on the page is ignored (all tenants), never an error page.
    expect((await page("/credit-registry?tenant=nowhere")).total).toBe(4);

    const other = await callLoader(tenantDetailLoader, "/x", { slug: w.mianyang.slug, id: String(w.abc._id) });
    expect(other.status).toBe(404);
    const own = await callLoader(tenantDetailLoader, "/x", { slug: w.chengdu.slug, id: String(w.abc._id) });
    expect(own.status).toBe(200);
    const unknownTenant = await callLoader(tenantLoader, "/t/none/credit-registry", { slug: "no-such-tenant" });
    expect(unknownTenant.status).toBe(404);
  });
});

describe("public credit registry: published fields only", () => {
  it("masks the ID number and never sends facts or internal fields; unpublished detail is 404", async () => {
    const w = await world();
    const d = await page(`/credit-registry?q=${CODE}`);
    const item = d.items[0];
    expect(item).toMatchObject({
      subjectName: "ABC化工（成都）有限公司",
      creditCode: CODE,
      responsiblePerson: { name: "张三", idNumberMasked: "510104********1234" },
      conditionKey: "c2023_major_accident",
      tenant: { slug: w.chengdu.slug },
    });
    const text = JSON.stringify(d);
    expect(text).not.toContain("510104198001011234");
    expect(text).not.toContain("内部事实");
    expect(text).not.toContain("内部决定书");
    expect(Object.keys(item ?? {}).sort()).toEqual(
      [
        "authority",
        "conditionKey",
        "creditCode",
        "endsAt",
        "id",
        "legalBasis",
        "listType",
        "listedAt",
        "penaltyDecisionNo",
        "responsiblePerson",
        "subjectName",
        "subjectType",
        "tenant",
      ].sort(),
    );

    const detail = await callLoader(allDetailLoader, `/credit-registry/${String(w.abc._id)}`, { id: String(w.abc._id) });
    expect(detail.status).toBe(200);
    expect(JSON.stringify(detail.data)).not.toContain("510104198001011234");
    expect(JSON.stringify(detail.data)).not.toContain("内部事实");
    for (const hidden of [w.draft, w.notified, w.removed]) {
      const res = await callLoader(allDetailLoader, "/x", { id: String(hidden._id) });
      expect(res.status).toBe(404);
      expect(await getPublicCreditRecord({ id: String(hidden._id), tenantId: null })).toBeNull();
    }
    expect((await callLoader(allDetailLoader, "/x", { id: "not-an-id" })).status).toBe(404);
    expect((await callLoader(allDetailLoader, "/x", { id: "0123456789abcdef01234567" })).status).toBe(404);
  });
});

describe("public credit registry: CSV export", () => {
  it("exports the current result with a BOM, Chinese headers and quoting that parses back", async () => {
    const w = await world();
    await createCreditRecord(w.chengdu._id, {
      subjectName: '成都"引号",逗号化工有限公司',
      legalBasis: "第一行\n第二行",
      penaltyDecisionNo: "=HYPERLINK(1)",
    });
    const res = await allCsvLoader({ request: makeRequest("/credit-registry.csv?q=化工"), params: {}, context: {} });
    expect(res).toBeInstanceOf(Response);
    const response = res as Response;
    expect(response.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(/^attachment; /);
    expect(response.headers.get("X-Export-Truncated")).toBe("false");
    const raw = Buffer.from(await response.arrayBuffer());
    expect([...raw.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const { rows, error } = parseCsv(raw.subarray(3).toString("utf8"));
    expect(error).toBeNull();
    expect(rows[0]?.slice(0, 3)).toEqual(["主体名称", "统一社会信用代码", "主体类型"]);
    const body = rows.slice(1);
    expect(body).toHaveLength(4);
    const quoted = body.find((r) => r[0] === '成都"引号",逗号化工有限公司');
    expect(quoted?.[7]).toBe("第一行\n第二行");
    // Formula injection is defused.
    expect(quoted?.[8]).toBe("'=HYPERLINK(1)");
    const abc = body.find((r) => r[1] === CODE);
    expect(abc?.[4]).toBe("510104********1234");
    expect(abc?.[6]).toBe("发生特别重大、重大生产安全事故");
    expect(raw.toString("utf8")).not.toContain("内部事实");
    expect(body.map((r) => r[0])).not.toContain("成都草稿化工有限公司");

    // Per tenant, English headers with the language cookie.
    const en = (await tenantCsvLoader({
      request: makeRequest(`/t/${w.mianyang.slug}/credit-registry.csv`, { headers: { Cookie: "sg_lang=ImVuIg%3D%3D" } }),
      params: { slug: w.mianyang.slug },
      context: {},
    })) as Response;
    const enRows = parseCsv((await en.text()).replace(/^\uFEFF/, "")).rows;
    expect(enRows).toHaveLength(2);
    expect(enRows[0]?.[0]).toBe("Subject name");
    expect(enRows[1]?.[0]).toBe("绵阳蜀新化工有限公司");
  });
});

describe("public credit registry: rate limit", () => {
  it("answers 429 once an address has used up its window", async () => {
    const ip = "10.77.0.1";
    await startInsideOneWindow(REGISTRY_RATE_LIMIT.windowMs);
    for (let i = 0; i < REGISTRY_RATE_LIMIT.limit; i++) await hitRegistryRateLimit(ip);
    const res = await allLoader({
      request: makeRequest("/credit-registry", { headers: { "x-sg-client-ip": ip } }),
      params: {},
      context: {},
    });
    const status = res instanceof Response ? res.status : (res as { init: ResponseInit | null }).init?.status;
    expect(status).toBe(429);
    // Another address is not affected.
    expect((await callLoader(allLoader, "/credit-registry", {})).status).toBe(200);
  });
});
