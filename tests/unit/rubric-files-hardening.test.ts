/** Scoring CLI inputs (issue 15): reserved item ids, duplicate keys in answers files, oversized files. */
import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findDuplicateKey } from "../../app/lib/json-duplicates";
import { loadRubricFile, MAX_JSON_BYTES } from "../../app/lib/rubric/load-files.server";
import { RESERVED_IDS, validateRubric } from "../../app/lib/rubric/schema";

const dir = mkdtempSync(path.join(os.tmpdir(), "sg-rubric-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function rubricWithItemId(id: string) {
  return {
    $schemaVersion: 1,
    key: "demo",
    version: "2025.1",
    title: { zh: "示例" },
    standard: "GB/T 33000-2016",
    applicability: { industries: ["*"], sizeClasses: ["small"] },
    totalPoints: 10,
    levels: [{ key: "level1", name: { zh: "一级" }, minScore: 60 }],
    vetoPolicy: "ineligible",
    elements: [
      {
        id: "E1",
        title: { zh: "目标职责" },
        subElements: [
          {
            id: "E1.1",
            title: { zh: "目标" },
            items: [{ id, text: { zh: "制度" }, points: 10, veto: true }],
          },
        ],
      },
    ],
  };
}

describe("rubric item ids", () => {
  it("refuses __proto__, constructor and prototype, naming the path", () => {
    expect(validateRubric(rubricWithItemId("E1.1.1"), "r.json").ok).toBe(true);
    for (const id of RESERVED_IDS) {
      const result = validateRubric(
        JSON.parse(JSON.stringify(rubricWithItemId("X")).replace('"X"', JSON.stringify(id))),
        "r.json",
      );
      expect(result.ok, id).toBe(false);
      if (!result.ok) expect(result.errors.join("\n")).toMatch(/reserved names/);
    }
  });
});

describe("duplicate keys", () => {
  it("names the first repeated key with its path; arrays and nested objects are their own scopes", () => {
    expect(findDuplicateKey('{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}')).toBeNull();
    expect(
      findDuplicateKey('{"answers":{"E1.1.1":{"level":"none"},"E1.1.1":{"level":"full"}}}'),
    ).toBe("answers.E1.1.1");
    expect(findDuplicateKey('{"x":[{"k":1,"k":2}]}')).toBe("x[0].k");
    expect(findDuplicateKey('{"s":"a\\",\\"s\\":1","t":2}')).toBeNull();
    expect(findDuplicateKey('{"\\u0061":1,"a":2}')).toBe("a");
  });

  it("a file with a repeated key is refused instead of keeping the last value", async () => {
    const file = path.join(dir, "dup.json");
    writeFileSync(
      file,
      JSON.stringify(rubricWithItemId("E1.1.1")).replace(
        '"key":"demo"',
        '"key":"demo","key":"other"',
      ),
    );
    const result = await loadRubricFile(file);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join("\n")).toContain('duplicate key "key"');
  });
});

describe("file size", () => {
  it("a 600 MB file is refused as too large before it is read", async () => {
    const file = path.join(dir, "huge.json");
    closeSync(openSync(file, "w"));
    truncateSync(file, 600 * 1_048_576); // sparse: no disk space used
    expect(600 * 1_048_576).toBeGreaterThan(MAX_JSON_BYTES);
    const result = await loadRubricFile(file);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join("\n")).toMatch(/file too large \(600 MB/);
  });
});
