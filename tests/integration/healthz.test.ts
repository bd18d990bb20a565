import { describe, expect, it } from "vitest";
import { loader } from "~/routes/healthz";

describe("/healthz", () => {
  it("reports the app and a real database ping as JSON", async () => {
    const res = await loader();
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toMatch(/application\/json/);
    const body: unknown = await res.json();
    expect(body).toMatchObject({ status: "ok", app: { ok: true }, database: { ok: true } });
  });
});
