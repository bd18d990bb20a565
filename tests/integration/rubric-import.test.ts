import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { RubricVersion } from "../../models/rubric-version";
import { getRubricVersion, importRubricFiles, listApplicableRubrics } from "~/data/rubrics.server";
import { createTenant } from "../factories";

const dirs: string[] = [];
function copyOfShippedRubrics(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "rubrics-"));
  cpSync(path.resolve("rubrics"), dir, { recursive: true });
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("importing rubric files into the database", () => {
  it("imports every shipped rubric and weight profile once; a second run changes nothing", async () => {
    const dir = copyOfShippedRubrics();
    const first = await importRubricFiles(dir);
    expect(first.errors).toEqual([]);
    expect(first.imported).toEqual(
      expect.arrayContaining(["general-tier3@2025.1", "small-micro@2025.1", "hazchem-tier@2025.1", "weights:chengdu-2017"]),
    );
    const count = await RubricVersion.countDocuments({ tenantId: null });
    const second = await importRubricFiles(dir);
    expect(second.imported).toEqual([]);
    expect(second.errors).toEqual([]);
    expect(await RubricVersion.countDocuments({ tenantId: null })).toBe(count);
  });

  it("refuses a changed file that keeps its version, and keeps the stored content", async () => {
    const dir = copyOfShippedRubrics();
    await importRubricFiles(dir);
    const file = path.join(dir, "small-micro@2025.1.json");
    const before = await RubricVersion.findOne({ tenantId: null, key: "small-micro" }).lean();
    const data = JSON.parse(readFileSync(file, "utf8")) as { title: { zh: string } };
    data.title.zh = `${data.title.zh}（改）`;
    writeFileSync(file, JSON.stringify(data, null, 2));
    const report = await importRubricFiles(dir);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatch(/small-micro@2025\.1 was already imported with different content/);
    const after = await RubricVersion.findOne({ tenantId: null, key: "small-micro" }).lean();
    expect(after?.contentHash).toBe(before?.contentHash);
  });

  it("proposes the applicable rubric by industry and size class and reads it back whole", async () => {
    await importRubricFiles(copyOfShippedRubrics());
    const tenant = await createTenant();
    const micro = await listApplicableRubrics({ tenantId: tenant._id, industry: "light", sizeClass: "micro" });
    expect(micro.map((r) => r.key)).toEqual(["small-micro", "general-tier3"]);
    const chem = await listApplicableRubrics({ tenantId: tenant._id, industry: "hazchem", sizeClass: "large" });
    expect(chem[0]?.key).toBe("hazchem-tier");
    const machinery = await listApplicableRubrics({ tenantId: tenant._id, industry: "machinery", sizeClass: "medium" });
    expect(machinery.map((r) => r.key)).toEqual(["general-tier3"]);
    const first = machinery[0];
    if (!first) throw new Error("expected a rubric");
    const loaded = await getRubricVersion({ tenantId: tenant._id, id: first._id });
    expect(loaded?.rubric.totalPoints).toBe(1000);
    expect(loaded?.rubric.elements).toHaveLength(8);
  });
});
