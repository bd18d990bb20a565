/** A state machine drawn as SVG from its definition (server-rendered; app/lib/layered-graph.ts). */
import type { GraphLayout } from "~/lib/layered-graph";

export function StateDiagram({ layout, title }: { layout: GraphLayout; title: string }) {
  return (
    <svg
      role="img"
      aria-label={title}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      width={layout.width}
      height={layout.height}
      className="max-w-none font-sans"
      data-testid="workflow-svg"
    >
      <defs>
        <marker id="sd-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#475569" />
        </marker>
      </defs>
      {layout.edges.map((e) => (
        <g key={`${e.from}-${e.to}`} data-edge={`${e.from}>${e.to}`}>
          <path d={e.path} fill="none" stroke={e.back ? "#b45309" : "#64748b"} strokeWidth={1.3} strokeDasharray={e.back ? "4 3" : undefined} markerEnd="url(#sd-arrow)" />
          <text x={e.labelX} y={e.labelY} fontSize={10} fill="#334155" textAnchor={e.back ? "start" : "middle"} paintOrder="stroke" stroke="#ffffff" strokeWidth={3}>
            {e.label.length > 28 ? `${e.label.slice(0, 27)}…` : e.label}
          </text>
        </g>
      ))}
      {layout.nodes.map((n) => (
        <g key={n.id} data-node={n.id}>
          <rect x={n.x} y={n.y} width={n.width} height={n.height} rx={8} fill={n.final ? "#f1f5f9" : "#eff6ff"} stroke={n.final ? "#475569" : "#1d4ed8"} strokeWidth={n.final ? 2 : 1.2} />
          <text x={n.x + n.width / 2} y={n.y + n.height / 2 + 4} fontSize={12} fill="#0f172a" textAnchor="middle">
            {n.label.length > 14 ? `${n.label.slice(0, 13)}…` : n.label}
          </text>
        </g>
      ))}
    </svg>
  );
}
