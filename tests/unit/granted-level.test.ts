import { describe, expect, it } from "vitest";
import { grantedLevel } from "~/lib/granted-level";

const LEVELS = [{ key: "level1" }, { key: "level2" }, { key: "level3" }];

describe("granted level", () => {
  it("is the best grantable level not above the reached one", () => {
    expect(grantedLevel(LEVELS, "level1", ["level3", "qualified"])).toBe("level3");
    expect(grantedLevel(LEVELS, "level1", ["level2", "level3"])).toBe("level2");
    expect(grantedLevel(LEVELS, "level2", ["level1", "level2", "level3"])).toBe("level2");
  });
  it("is null when nothing grantable is reached", () => {
    expect(grantedLevel(LEVELS, "level3", ["level1"])).toBeNull();
    expect(grantedLevel(LEVELS, null, ["level3"])).toBeNull();
    expect(grantedLevel(LEVELS, "unknown", ["level3"])).toBeNull();
  });
});
