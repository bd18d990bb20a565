import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime } from "~/lib/datetime";

// The formatters are built once per locale (decision 029); each locale keeps its own.
describe("date formatting in China Standard Time", () => {
  it("formats in Asia/Shanghai, per locale, the same on repeated calls", () => {
    const late = new Date("2026-03-31T16:30:00Z"); // 1 April, 00:30 in Shanghai
    expect(formatDate(late, "zh-CN")).toBe("2026/04/01");
    expect(formatDate(late, "en")).toBe("04/01/2026");
    expect(formatDate(late.toISOString(), "zh-CN")).toBe("2026/04/01");
    expect(formatDateTime(late, "zh-CN")).toBe("2026/04/01 00:30:00");
    expect(formatDateTime(late, "en")).toBe("04/01/2026, 00:30:00");
    expect(formatDate(new Date("2026-01-01T00:00:00Z"), "en")).toBe("01/01/2026");
  });
});
