/**
 * axe-core inside the e2e browser: injected through the DevTools protocol (page.evaluate is not
 * subject to the app's Content-Security-Policy), run on the whole document, and reduced to the
 * violations that block people (impact "critical" or "serious").
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as AxeCore from "axe-core";
import type { Page } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

type AxeApi = typeof AxeCore;
declare global {
  interface Window {
    axe?: AxeApi;
  }
}

export type BlockingViolation = { id: string; impact: string; help: string; targets: string[] };

/** Runs axe on the page as it is now; returns the critical and serious violations, one per rule. */
export async function blockingViolations(page: Page): Promise<BlockingViolation[]> {
  await page.waitForLoadState("load");
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = window.axe;
    if (!axe) throw new Error("axe-core did not load");
    const result = await axe.run(document, {
      // Experimental, but it is the rule that catches a visible label different from the accessible name.
      rules: { "label-content-name-mismatch": { enabled: true } },
      resultTypes: ["violations"],
    });
    return result.violations
      .filter((v) => v.impact === "critical" || v.impact === "serious")
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? "",
        help: v.help,
        targets: v.nodes.slice(0, 6).map((n) => `${n.target.join(" ")} :: ${n.failureSummary?.split("\n").slice(1, 2).join("") ?? ""}`),
      }));
  });
}

/** A readable list for an assertion message. */
export function describeViolations(url: string, violations: BlockingViolation[]): string {
  return violations.map((v) => `${url}\n  [${v.impact}] ${v.id}: ${v.help}\n    ${v.targets.join("\n    ")}`).join("\n");
}
