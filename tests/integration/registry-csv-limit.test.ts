/** The public registry CSV is rate limited per address (issue 15): 429 with a translated message. */
import { describe, expect, it } from "vitest";
import { loader as csvLoader, REGISTRY_CSV_LIMIT } from "~/routes/t.$slug.registry[.csv]";
import { createTenant } from "../factories";

describe("registry CSV rate limit", () => {
  it("answers 429 with a translated message after the limit; another address still downloads", async () => {
    const tenant = await createTenant();
    const url = `/t/${tenant.slug}/registry.csv`;
    const get = (ip: string) =>
      csvLoader({
        request: new Request(`http://localhost:3000${url}`, { headers: { "x-sg-client-ip": ip } }),
        params: { slug: tenant.slug },
        context: {},
      });
    const answers = await Promise.all(Array.from({ length: REGISTRY_CSV_LIMIT.limit + 5 }, () => get("10.7.7.7")));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(REGISTRY_CSV_LIMIT.limit);
    const refused = answers.find((r) => r.status === 429);
    expect(refused?.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(await refused?.text()).toMatch(/^下载过于频繁，请 \d+ 分钟后再试。$/);
    expect((await get("10.7.7.8")).status).toBe(200);
  });
});
