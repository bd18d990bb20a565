/** Which change stamps a write renews (decision 031): the tenant's when the write names it, else every tenant's. */
import { Types } from "mongoose";
import { describe, expect, it } from "vitest";
import { stampsFor, tenantOf } from "../../models/public-stamp";

describe("change stamps of a write", () => {
  const t = new Types.ObjectId();
  const hex = t.toHexString();

  it("reads the tenant from an ObjectId, its hex string or $eq, and nothing else", () => {
    expect(tenantOf(t)).toBe(hex);
    expect(tenantOf(hex.toUpperCase())).toBe(hex);
    expect(tenantOf({ $eq: t })).toBe(hex);
    for (const v of [undefined, null, "", "abc", { $in: [t] }, { $ne: t }]) expect(tenantOf(v)).toBeNull();
  });

  it("renews the public scope, each named tenant once, or every tenant's stamp", () => {
    const every = [hex, "b".repeat(24)];
    expect(stampsFor({ scope: "certificates", tenantScope: "certificates" }, [hex, hex], every)).toEqual(["certificates", `certificates:${hex}`]);
    expect(stampsFor({ tenantScope: "enterprises" }, [hex, null], every)).toEqual([`enterprises:${hex}`, `enterprises:${"b".repeat(24)}`]);
    expect(stampsFor({ tenantScope: "credit-records" }, [], every)).toEqual([`credit-records:${hex}`, `credit-records:${"b".repeat(24)}`]);
    expect(stampsFor({ scope: "credit-publications" }, [null], every)).toEqual(["credit-publications"]);
  });
});
