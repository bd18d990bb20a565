import { startInsideOneWindow } from "../rate-window";
import { describe, expect, it } from "vitest";
import { REGISTRY_RATE_LIMIT, hitRegistryRateLimit } from "~/data/credit-registry.server";
import { loader } from "~/routes/api.public.credit-records";
import { createCreditRecord } from "../credit-fixtures";
import { createTenant } from "../factories";
import { makeRequest } from "../route-helpers";

type Json = Record<string, unknown>;

async function get(query: string, headers: Record<string, string> = {}) {
  const res = (await loader({
    request: makeRequest(`/api/public/credit-records${query}`, { headers }),
    params: {},
    context: {},
  })) as Response;
  expect(res).toBeInstanceOf(Response);
  return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
}

const CODE = "91510100MA6CGUGA1W";

async function world() {
  const chengdu = await createTenant({ slug: "api-chengdu", zh: "成都市应急管理局" });
  const other = await createTenant({ slug: "api-other", zh: "绵阳市应急管理局" });
  const listed = await createCreditRecord(chengdu._id, {
    subjectName: "蜀新化工有限公司",
    creditCode: CODE,
    conditionKey: "c2023_concealed_accident",
    listedAt: new Date(Date.UTC(2025, 3, 2, 2, 0, 0)),
    endsAt: new Date(Date.UTC(2028, 3, 2, 2, 0, 0)),
    idNumber: "51010419800101123X",
    penaltyDecisionNo: "成应急罚〔2025〕7号",
  });
  for (let i = 0; i < 4; i++) await createCreditRecord(chengdu._id, { subjectName: `成都机械${i}厂`, conditionKey: "c2023_no_licence" });
  await createCreditRecord(other._id, { subjectName: "绵阳机械厂", conditionKey: "c2023_no_licence" });
  await createCreditRecord(chengdu._id, { subjectName: "草稿机械厂", status: "draft" });
  return { chengdu, other, listed };
}

describe("GET /api/public/credit-records", () => {
  it("returns { items, total, page, pageSize, truncated } with the documented field names, CORS open", async () => {
    const w = await world();
    const { status, headers, body } = await get(`?q=${CODE.toLowerCase()}`);
    expect(status).toBe(200);
    expect(headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(Object.keys(body).sort()).toEqual(["items", "page", "pageSize", "total", "truncated"]);
    expect(body).toMatchObject({ total: 1, page: 1, pageSize: 20 });
    const items = body.items as Json[];
    expect(items[0]).toEqual({
      id: String(w.listed._id),
      tenant: { slug: "api-chengdu", name: "成都市应急管理局" },
      subjectName: "蜀新化工有限公司",
      creditCode: CODE,
      subjectType: "enterprise",
      responsiblePerson: { name: "张三", idNumberMasked: "510104********123X" },
      listType: "serious2023",
      condition: { key: "c2023_concealed_accident", label: "瞒报、谎报生产安全事故" },
      legalBasis: "《安全生产严重失信主体名单管理办法》第六条",
      penaltyDecisionNo: "成应急罚〔2025〕7号",
      authority: "成都市应急管理局",
      listedAt: "2025-04-02T02:00:00.000Z",
      endsAt: "2028-04-02T02:00:00.000Z",
    });
    // English labels with Accept-Language.
    const en = await get(`?q=${CODE}`, { "Accept-Language": "en-US,en;q=0.9,zh;q=0.5" });
    expect((en.body.items as Json[])[0]).toMatchObject({
      condition: { label: "Concealing or falsely reporting an accident" },
      tenant: { name: `Test Bureau api-chengdu` },
    });
  });

  it("pages, scopes by tenant, and never lists unpublished records", async () => {
    await world();
    const all = await get("?pageSize=2&page=1");
    expect(all.body).toMatchObject({ total: 6, page: 1, pageSize: 2 });
    expect(all.body.items as Json[]).toHaveLength(2);
    const last = await get("?pageSize=2&page=3");
    expect(last.body.items as Json[]).toHaveLength(2);
    // A short last page knows its total without counting; it must still be the real total.
    const short = await get("?pageSize=4&page=2");
    expect(short.body).toMatchObject({ total: 6, page: 2, pageSize: 4 });
    expect(short.body.items as Json[]).toHaveLength(2);
    const beyond = await get("?pageSize=2&page=4");
    expect(beyond.status).toBe(200);
    expect(beyond.body).toMatchObject({ total: 6, items: [] });
    const ids = new Set<unknown>();
    for (const p of [1, 2, 3]) for (const i of (await get(`?pageSize=2&page=${p}`)).body.items as Json[]) ids.add(i.id);
    expect(ids.size).toBe(6);

    expect((await get("?tenant=api-other")).body).toMatchObject({ total: 1, items: [{ subjectName: "绵阳机械厂" }] });
    expect((await get("?tenant=api-chengdu&q=机械")).body.total).toBe(4);
    expect((await get("?q=草稿")).body.total).toBe(0);
    expect((await get("?condition=c2023_concealed_accident&year=2025")).body.total).toBe(1);
    expect((await get("?year=2019")).body.total).toBe(0);
    expect((await get("?pageSize=100")).status).toBe(200);
  });

  it("answers every bad parameter with 400 and a translated message naming the field, never 500", async () => {
    await world();
    const cases: Array<[string, string, string]> = [
      ["?page=0", "page", "INVALID_PAGE"],
      ["?page=-1", "page", "INVALID_PAGE"],
      ["?page=abc", "page", "INVALID_PAGE"],
      ["?page=1.5", "page", "INVALID_PAGE"],
      ["?page=1e3", "page", "INVALID_PAGE"],
      ["?page=99999999999999999999", "page", "INVALID_PAGE"],
      ["?pageSize=101", "pageSize", "INVALID_PAGE_SIZE"],
      ["?pageSize=0", "pageSize", "INVALID_PAGE_SIZE"],
      ["?pageSize=ten", "pageSize", "INVALID_PAGE_SIZE"],
      ["?tenant=nowhere", "tenant", "UNKNOWN_TENANT"],
      ["?tenant=Bad%20Slug!", "tenant", "UNKNOWN_TENANT"],
      [`?q=${"长".repeat(101)}`, "q", "Q_TOO_LONG"],
      ["?condition=c2023_nothing", "condition", "UNKNOWN_CONDITION"],
      ["?year=20x5", "year", "INVALID_YEAR"],
      ["?year=1999", "year", "INVALID_YEAR"],
      ["?year=25", "year", "INVALID_YEAR"],
      ["?listType=blacklist", "listType", "UNKNOWN_LIST_TYPE"],
    ];
    for (const [query, field, code] of cases) {
      const res = await get(query);
      expect(res.status, query).toBe(400);
      expect(res.headers.get("Access-Control-Allow-Origin")).toBe("*");
      const error = res.body.error as Json;
      expect(error, query).toMatchObject({ code, field });
      expect(typeof error.message).toBe("string");
      // A real sentence in Chinese (the default), not a key.
      expect(error.message as string, query).not.toMatch(/^creditPublic\./);
      expect(error.message as string, query).toMatch(/[\u4e00-\u9fff]/);
    }
    const en = await get("?pageSize=500", { "Accept-Language": "en" });
    expect((en.body.error as Json).message).toBe("The page size must be a whole number from 1 to 100");
    // The cookie wins over Accept-Language.
    const cookie = await get("?page=0", { "Accept-Language": "en", Cookie: "sg_lang=InpoLUNOIg%3D%3D" });
    expect((cookie.body.error as Json).message).toBe("页码应为 1–100000 之间的整数");
    // Odd but harmless input is fine.
    for (const q of ["?q=%24where", "?q=.*", "?q=%5B", "?q=", "?q=%20%20"]) expect((await get(q)).status, q).toBe(200);
  });

  it("answers 429 with a message when the address used up its window", async () => {
    const ip = "10.88.0.1";
    await startInsideOneWindow(REGISTRY_RATE_LIMIT.windowMs);
    for (let i = 0; i < REGISTRY_RATE_LIMIT.limit; i++) await hitRegistryRateLimit(ip);
    const res = await get("", { "x-sg-client-ip": ip });
    expect(res.status).toBe(429);
    expect(res.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(res.body.error).toMatchObject({ code: "RATE_LIMITED", field: null });
  });
});
