/**
 * A small layered ("Sugiyama-style") layout for state diagrams, drawn as SVG on the server
 * (issue 17: the workflow page shows a picture, not Mermaid source). Pure and deterministic:
 *   1. back edges are found by a depth-first walk from the start node and drawn as return arcs;
 *   2. each node's layer is its longest distance from the start over the remaining (acyclic) edges;
 *   3. nodes in a layer are ordered by the mean position of their predecessors (one sweep);
 *   4. layers are rows, top to bottom; parallel edges between two nodes are merged.
 */

export type GraphNode = { id: string; label: string; final?: boolean };
export type GraphEdge = { from: string; to: string; label: string };

export type PlacedNode = GraphNode & { x: number; y: number; width: number; height: number; layer: number };
export type PlacedEdge = { from: string; to: string; label: string; back: boolean; path: string; labelX: number; labelY: number };
export type GraphLayout = { width: number; height: number; nodes: PlacedNode[]; edges: PlacedEdge[] };

export const NODE_WIDTH = 168;
export const NODE_HEIGHT = 40;
const GAP_X = 40;
const GAP_Y = 64;
const MARGIN = 24;
/** Room on the right for the return arcs of back edges. */
const BACK_LANE = 140;

function mergeEdges(edges: GraphEdge[]): GraphEdge[] {
  const merged = new Map<string, GraphEdge>();
  for (const e of edges) {
    const key = `${e.from}\u0000${e.to}`;
    const seen = merged.get(key);
    if (!seen) merged.set(key, { ...e });
    else if (!seen.label.split("、").includes(e.label)) seen.label = `${seen.label}、${e.label}`;
  }
  return [...merged.values()];
}

/** Edges that close a cycle in a depth-first walk from `start` (then from any unvisited node). */
function backEdges(nodes: GraphNode[], edges: GraphEdge[], start: string): Set<GraphEdge> {
  const out = new Map<string, GraphEdge[]>();
  for (const e of edges) out.set(e.from, [...(out.get(e.from) ?? []), e]);
  const state = new Map<string, "open" | "done">();
  const back = new Set<GraphEdge>();
  const visit = (id: string) => {
    state.set(id, "open");
    for (const e of out.get(id) ?? []) {
      const s = state.get(e.to);
      if (s === "open" || e.to === id) back.add(e);
      else if (!s) visit(e.to);
    }
    state.set(id, "done");
  };
  visit(start);
  for (const n of nodes) if (!state.has(n.id)) visit(n.id);
  return back;
}

export function layoutGraph(nodes: GraphNode[], rawEdges: GraphEdge[], start: string): GraphLayout {
  const ids = new Set(nodes.map((n) => n.id));
  const edges = mergeEdges(rawEdges.filter((e) => ids.has(e.from) && ids.has(e.to)));
  const back = backEdges(nodes, edges, ids.has(start) ? start : (nodes[0]?.id ?? ""));
  const forward = edges.filter((e) => !back.has(e) && e.from !== e.to);

  // Longest path layering over the acyclic forward edges (Kahn order).
  const layer = new Map(nodes.map((n) => [n.id, 0]));
  const indegree = new Map(nodes.map((n) => [n.id, 0]));
  for (const e of forward) indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  const queue = nodes.filter((n) => (indegree.get(n.id) ?? 0) === 0).map((n) => n.id);
  while (queue.length > 0) {
    const id = queue.shift() ?? "";
    for (const e of forward.filter((f) => f.from === id)) {
      layer.set(e.to, Math.max(layer.get(e.to) ?? 0, (layer.get(id) ?? 0) + 1));
      indegree.set(e.to, (indegree.get(e.to) ?? 1) - 1);
      if (indegree.get(e.to) === 0) queue.push(e.to);
    }
  }

  // Rows in declaration order, then one barycenter sweep top to bottom.
  const depth = Math.max(0, ...layer.values());
  const rows: string[][] = Array.from({ length: depth + 1 }, () => []);
  for (const n of nodes) rows[layer.get(n.id) ?? 0]?.push(n.id);
  const position = new Map<string, number>();
  rows.forEach((row) => row.forEach((id, i) => position.set(id, i)));
  for (const row of rows.slice(1)) {
    const score = (id: string) => {
      const preds = forward.filter((e) => e.to === id).map((e) => position.get(e.from) ?? 0);
      return preds.length > 0 ? preds.reduce((a, b) => a + b, 0) / preds.length : (position.get(id) ?? 0);
    };
    row.sort((a, b) => score(a) - score(b));
    row.forEach((id, i) => position.set(id, i));
  }

  const widest = Math.max(1, ...rows.map((r) => r.length));
  const contentWidth = widest * NODE_WIDTH + (widest - 1) * GAP_X;
  const placed = new Map<string, PlacedNode>();
  rows.forEach((row, l) => {
    const rowWidth = row.length * NODE_WIDTH + (row.length - 1) * GAP_X;
    const left = MARGIN + (contentWidth - rowWidth) / 2;
    row.forEach((id, i) => {
      const node = nodes.find((n) => n.id === id);
      if (node) placed.set(id, { ...node, layer: l, width: NODE_WIDTH, height: NODE_HEIGHT, x: left + i * (NODE_WIDTH + GAP_X), y: MARGIN + l * (NODE_HEIGHT + GAP_Y) });
    });
  });

  const laneX = MARGIN + contentWidth + 24;
  const placedEdges: PlacedEdge[] = [];
  let lane = 0;
  for (const e of edges) {
    const a = placed.get(e.from);
    const b = placed.get(e.to);
    if (!a || !b) continue;
    if (back.has(e) || e.from === e.to) {
      // A return arc: out of the source's right side, up (or down) a lane, into the target's right side.
      const x = laneX + (lane++ % 6) * 18;
      const y1 = a.y + a.height / 2;
      const y2 = b.y + b.height / 2;
      placedEdges.push({ ...e, back: true, path: `M ${a.x + a.width} ${y1} C ${x} ${y1}, ${x} ${y2}, ${b.x + b.width} ${y2}`, labelX: x + 4, labelY: (y1 + y2) / 2 });
    } else {
      const x1 = a.x + a.width / 2;
      const y1 = a.y + a.height;
      const x2 = b.x + b.width / 2;
      const y2 = b.y;
      const my = (y1 + y2) / 2;
      placedEdges.push({ ...e, back: false, path: `M ${x1} ${y1} C ${x1} ${my}, ${x2} ${my}, ${x2} ${y2}`, labelX: (x1 + x2) / 2, labelY: my });
    }
  }
  return {
    width: laneX + (back.size > 0 ? BACK_LANE : 0) + MARGIN,
    height: MARGIN * 2 + rows.length * NODE_HEIGHT + (rows.length - 1) * GAP_Y,
    nodes: [...placed.values()],
    edges: placedEdges,
  };
}
