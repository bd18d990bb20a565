import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadRubricFile, loadWeightProfileFile } from "../../app/lib/rubric/load-files.server";
import { compileRubric, resolveItemWeights } from "../../app/lib/scoring/engine";

const root = path.resolve(__dirname, "../..");

describe("shipped chengdu-2017 weight profile (DOMAIN.md §3: the seed notice raises risk management and occupational health)", () => {
  it("raises exactly the risk-management and occupational-health tags, nothing else", async () => {
    const loaded = await loadWeightProfileFile(path.join(root, "rubrics/weights/chengdu-2017.json"));
    if (!loaded.ok) throw new Error(loaded.errors.join("\n"));
    expect(loaded.value.rules).toEqual([
      { tag: "risk-management", weight: 1.5 },
      { tag: "occupational-health", weight: 1.5 },
    ]);
    expect(JSON.stringify(loaded.value.description)).not.toMatch(/1\.2/);
  });

  it("weights an emergency-only item 1 and the tagged items 1.5 in the general rubric", async () => {
    const [profile, rubric] = await Promise.all([
      loadWeightProfileFile(path.join(root, "rubrics/weights/chengdu-2017.json")),
      loadRubricFile(path.join(root, "rubrics/general-tier3@2025.1.json")),
    ]);
    if (!profile.ok || !rubric.ok) throw new Error("shipped files must load");
    const compiled = compileRubric(rubric.value);
    const weights = resolveItemWeights(compiled, profile.value);
    let raised = 0;
    let emergencyOnly = 0;
    compiled.items.forEach((item, i) => {
      const tagged = item.tags.includes("risk-management") || item.tags.includes("occupational-health");
      expect(weights[i], item.id).toBe(tagged ? 1500 : 1000);
      if (tagged) raised++;
      if (!tagged && item.tags.includes("emergency")) emergencyOnly++;
    });
    expect(raised).toBeGreaterThan(0);
    expect(emergencyOnly).toBeGreaterThan(0);
  });
});
