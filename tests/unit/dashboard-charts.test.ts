import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { BarChart, TargetTrendChart } from "~/components/charts";

const months = Array.from({ length: 12 }, (_, i) => ({ month: i + 1, count: i === 2 ? 4 : i === 4 ? 2 : 0, cumulative: i >= 4 ? 6 : i >= 2 ? 4 : 0, href: `/c?m=${i + 1}` }));

function trend(target: number): string {
  return renderToStaticMarkup(
    createElement(TargetTrendChart, { title: "T", desc: "D", months, target, progressLabel: `6 / ${target}`, monthLabel: (m: number) => `${m}月`, testId: "chart-trend" }),
  );
}

/** Height of the column drawn for each month (data-value = that month's count). */
function columnHeights(svg: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const m of svg.matchAll(/<rect [^>]*height="([\d.]+)"[^>]*data-value="(\d+)"/g)) out.set(Number(m[2]), Number(m[1]));
  return out;
}

describe("dashboard charts", () => {
  it("a yearly target of 1,000 does not flatten the monthly columns", () => {
    const small = columnHeights(trend(10));
    const large = columnHeights(trend(1000));
    expect(large.get(4)).toBeGreaterThan(100);
    expect(large.get(4)).toBe(small.get(4));
    expect(large.get(2)).toBeCloseTo((large.get(4) ?? 0) / 2, 5);
    expect(trend(1000)).toContain("6 / 1000");
  });

  it("draws at most 1.5× its size and is a named group whose links are named by their titles", () => {
    const data = [{ key: "a", label: "龙泉驿区", value: 3, href: "/e?district=510112" }];
    const narrow = renderToStaticMarkup(createElement(BarChart, { title: "按区县", desc: "D", data }));
    const wide = renderToStaticMarkup(createElement(BarChart, { title: "差距", desc: "D", data, width: 800 }));
    expect(narrow).toContain("max-width:600px");
    expect(wide).toContain("max-width:1200px");
    expect(wide).toContain('viewBox="0 0 800');
    expect(narrow).not.toContain('role="img"');
    expect(narrow).toContain('role="group"');
    expect(narrow).not.toMatch(/<a [^>]*aria-label/);
    expect(narrow).toMatch(/<a href="\/e\?district=510112" data-label="龙泉驿区: 3"><title>龙泉驿区: 3<\/title>/);
  });
});
