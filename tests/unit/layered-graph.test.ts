import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { layoutGraph, type GraphEdge } from "~/lib/layered-graph";

const node = (id: string) => ({ id, label: id });

describe("layered graph layout", () => {
  it("puts a chain in successive rows and draws a return edge as a back arc", () => {
    const nodes = ["draft", "submitted", "accepted", "done"].map(node);
    const edges: GraphEdge[] = [
      { from: "draft", to: "submitted", label: "提交" },
      { from: "submitted", to: "accepted", label: "受理" },
      { from: "submitted", to: "draft", label: "退回" },
      { from: "accepted", to: "done", label: "公告" },
    ];
    const layout = layoutGraph(nodes, edges, "draft");
    const layer = (id: string) => layout.nodes.find((n) => n.id === id)?.layer;
    expect([layer("draft"), layer("submitted"), layer("accepted"), layer("done")]).toEqual([0, 1, 2, 3]);
    expect(layout.edges.find((e) => e.to === "draft")?.back).toBe(true);
    expect(layout.edges.filter((e) => e.back)).toHaveLength(1);
  });

  it("merges parallel edges into one labelled edge", () => {
    const layout = layoutGraph([node("a"), node("b")], [
      { from: "a", to: "b", label: "x" },
      { from: "a", to: "b", label: "y" },
      { from: "a", to: "b", label: "x" },
    ], "a");
    expect(layout.edges).toHaveLength(1);
    expect(layout.edges[0]?.label).toBe("x、y");
  });

  it("never overlaps two boxes, keeps every forward edge pointing down and fits everything in the canvas", () => {
    const graph = fc.integer({ min: 1, max: 12 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        edges: fc.array(fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })), { maxLength: 30 }),
      }),
    );
    fc.assert(
      fc.property(graph, ({ n, edges }) => {
        const nodes = Array.from({ length: n }, (_, i) => node(`s${i}`));
        const layout = layoutGraph(nodes, edges.map(([a, b]) => ({ from: `s${a}`, to: `s${b}`, label: "e" })), "s0");
        expect(layout.nodes).toHaveLength(n);
        for (const a of layout.nodes) {
          expect(a.x + a.width).toBeLessThanOrEqual(layout.width);
          expect(a.y + a.height).toBeLessThanOrEqual(layout.height);
          for (const b of layout.nodes) {
            if (a.id >= b.id) continue;
            const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
            expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
          }
        }
        const at = new Map(layout.nodes.map((p) => [p.id, p.layer]));
        for (const e of layout.edges.filter((x) => !x.back)) expect(at.get(e.to) ?? 0).toBeGreaterThan(at.get(e.from) ?? 0);
      }),
      { numRuns: 200 },
    );
  });
});
