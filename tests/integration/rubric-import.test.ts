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

  it("takes a changed English text of a published version (a translation), and nothing else", async () => {
    const dir = copyOfShippedRubrics();
    const file = path.join(dir, "small-micro@2025.1.json");
    type Texts = { zh: string; en?: string };
    type File = { elements: Array<{ subElements: Array<{ items: Array<{ text: Texts; points: number; deductionRules: Array<{ text: Texts }> }> }> }> };
    const shipped = JSON.parse(readFileSync(file, "utf8")) as File;
    const item = (data: File) => {
      const found = data.elements[0]?.subElements[0]?.items[0];
      if (!found) throw new Error("expected an item");
      return found;
    };
    // Stored first without English for the first item (as an older release shipped it).
    const older = structuredClone(shipped);
    delete item(older).text.en;
    for (const rule of item(older).deductionRules) delete rule.text.en;
    writeFileSync(file, JSON.stringify(older, null, 2));
    await importRubricFiles(dir);
    const before = await RubricVersion.findOne({ tenantId: null, key: "small-micro" }).lean();

    writeFileSync(file, JSON.stringify(shipped, null, 2));
    const report = await importRubricFiles(dir);
    expect(report.errors).toEqual([]);
    expect(report.translated).toEqual(["small-micro@2025.1"]);
    const after = await RubricVersion.findOne({ tenantId: null, key: "small-micro" }).lean();
    expect(String(after?._id)).toBe(String(before?._id));
    expect(after?.contentHash).not.toBe(before?.contentHash);
    if (!after) throw new Error("expected the stored version");
    const tenant = await createTenant();
    const read = await getRubricVersion({ tenantId: tenant._id, id: after._id });
    expect(read?.rubric.elements[0]?.subElements[0]?.items[0]?.text.en).toBe(item(shipped).text.en);

    // English changed together with points: refused, the stored content stays.
    const mixed = structuredClone(shipped);
    item(mixed).text.en = "Changed";
    item(mixed).points += 1;
    writeFileSync(file, JSON.stringify(mixed, null, 2));
    const refused = await importRubricFiles(dir);
    expect(refused.errors).toHaveLength(1);
    expect(refused.translated).toEqual([]);
    expect((await RubricVersion.findOne({ tenantId: null, key: "small-micro" }).lean())?.contentHash).toBe(after.contentHash);
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
