/**
 * Server-rendered SVG charts for the dashboard: no chart library, no client JavaScript. Each chart
 * scales with its container (viewBox + width 100%), has an accessible name (title/desc, role="img"
 * on the figure) and links every bar to the list behind it. The numbers are also given as a table
 * by the caller (`ChartTable`).
 */
import { useId, type ReactNode } from "react";

export type ChartDatum = { key: string; label: string; value: number; href?: string };

const PALETTE = ["#1d4ed8", "#0891b2", "#16a34a", "#ca8a04", "#dc2626", "#7c3aed", "#db2777", "#64748b"];

export function colorAt(i: number): string {
  return PALETTE[i % PALETTE.length] ?? "#1d4ed8";
}

function shorten(label: string, max: number): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

function Linked({ href, label, children }: { href?: string; label: string; children: ReactNode }) {
  if (!href) return <g>{children}</g>;
  return (
    <a href={href} aria-label={label}>
      {children}
    </a>
  );
}

/** Horizontal bars (negative values extend left of the axis when `signed`). */
export function BarChart({
  title,
  desc,
  data,
  signed = false,
  testId,
  format = (v) => String(v),
}: {
  title: string;
  desc: string;
  data: ChartDatum[];
  signed?: boolean;
  testId?: string;
  format?: (v: number) => string;
}) {
  const id = useId();
  const width = 400;
  const labelW = 140;
  const valueW = 48;
  const rowH = 26;
  const height = Math.max(1, data.length) * rowH + 8;
  const max = Math.max(1, ...data.map((d) => Math.abs(d.value)));
  const plotW = width - labelW - valueW;
  const zeroX = signed ? labelW + plotW / 2 : labelW;
  const scale = (signed ? plotW / 2 : plotW) / max;
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      role="img"
      aria-labelledby={`${id}-t ${id}-d`}
      className="h-auto max-w-full"
      data-testid={testId}
    >
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{desc}</desc>
      {data.length === 0 ? (
        <text x={width / 2} y={18} textAnchor="middle" fontSize="12" fill="#64748b">
          —
        </text>
      ) : null}
      {data.map((d, i) => {
        const y = 4 + i * rowH;
        const w = Math.abs(d.value) * scale;
        const x = d.value < 0 ? zeroX - w : zeroX;
        return (
          <Linked key={d.key} href={d.href} label={`${d.label}: ${format(d.value)}`}>
            <title>{`${d.label}: ${format(d.value)}`}</title>
            <text x={labelW - 6} y={y + rowH / 2 + 4} textAnchor="end" fontSize="12" fill="#334155">
              {shorten(d.label, 11)}
            </text>
            <rect x={x} y={y + 4} width={Math.max(w, d.value === 0 ? 0 : 1)} height={rowH - 8} rx="3" fill={d.value < 0 ? "#16a34a" : colorAt(0)} />
            <text x={width - valueW + 4} y={y + rowH / 2 + 4} fontSize="12" fill="#0f172a" data-value={d.value}>
              {format(d.value)}
            </text>
          </Linked>
        );
      })}
      {signed ? <line x1={zeroX} x2={zeroX} y1={0} y2={height} stroke="#94a3b8" strokeWidth="1" /> : null}
    </svg>
  );
}

/** One 100% stacked bar with a legend (share of a whole, e.g. enterprises by level). */
export function StackedBar({
  title,
  desc,
  data,
  testId,
}: {
  title: string;
  desc: string;
  data: ChartDatum[];
  testId?: string;
}) {
  const id = useId();
  const width = 400;
  const total = data.reduce((s, d) => s + d.value, 0);
  const legendRows = Math.ceil(data.length / 2);
  const height = 40 + legendRows * 22;
  let x = 0;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-labelledby={`${id}-t ${id}-d`} className="h-auto max-w-full" data-testid={testId}>
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{desc}</desc>
      <rect x={0} y={4} width={width} height={24} rx="4" fill="#e2e8f0" />
      {data.map((d, i) => {
        const w = total > 0 ? (d.value / total) * width : 0;
        const seg = (
          <Linked key={d.key} href={d.href} label={`${d.label}: ${d.value}`}>
            <title>{`${d.label}: ${d.value}`}</title>
            <rect x={x} y={4} width={w} height={24} fill={colorAt(i)} />
          </Linked>
        );
        x += w;
        return seg;
      })}
      {data.map((d, i) => {
        const col = i % 2;
        const row = Math.floor(i / 2);
        const lx = col * (width / 2);
        const ly = 40 + row * 22;
        return (
          <Linked key={`l-${d.key}`} href={d.href} label={`${d.label}: ${d.value}`}>
            <rect x={lx} y={ly} width={12} height={12} fill={colorAt(i)} />
            <text x={lx + 16} y={ly + 11} fontSize="12" fill="#334155">
              {`${shorten(d.label, 14)} ${d.value}`}
            </text>
          </Linked>
        );
      })}
    </svg>
  );
}

/**
 * Running total per month as columns (labelled with the month's own count) and the yearly target
 * as a dashed line.
 */
export function TargetTrendChart({
  title,
  desc,
  months,
  target,
  targetLabel,
  monthLabel,
  testId,
}: {
  title: string;
  desc: string;
  months: Array<{ month: number; count: number; cumulative: number; href?: string }>;
  target: number;
  targetLabel: string;
  monthLabel: (m: number) => string;
  testId?: string;
}) {
  const id = useId();
  const width = 400;
  const height = 220;
  const top = 20;
  const bottom = 24;
  const left = 8;
  const plotH = height - top - bottom;
  const max = Math.max(1, target, ...months.map((m) => m.cumulative));
  const colW = (width - left * 2) / 12;
  const y = (v: number) => top + plotH - (v / max) * plotH;
  return (
    <svg viewBox={`0 0 ${width} ${height}`} width="100%" role="img" aria-labelledby={`${id}-t ${id}-d`} className="h-auto max-w-full" data-testid={testId}>
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{desc}</desc>
      <line x1={left} x2={width - left} y1={top + plotH} y2={top + plotH} stroke="#94a3b8" />
      {months.map((m, i) => {
        const x = left + i * colW + 3;
        // A month with certifications stays visible even when the target sets a large scale.
        const h = m.cumulative > 0 ? Math.max(2, top + plotH - y(m.cumulative)) : 0;
        return (
          <Linked key={m.month} href={m.href} label={`${monthLabel(m.month)}: +${m.count} (${m.cumulative})`}>
            <title>{`${monthLabel(m.month)}: +${m.count} (${m.cumulative})`}</title>
            <rect x={x} y={top + plotH - h} width={colW - 6} height={h} rx="1" fill={colorAt(1)} />
            {m.count > 0 ? (
              <text x={x + (colW - 6) / 2} y={top + plotH - h - 3} fontSize="9" textAnchor="middle" fill="#0f172a">
                {`+${m.count}`}
              </text>
            ) : null}
            <text x={x + (colW - 6) / 2} y={height - 8} fontSize="10" textAnchor="middle" fill="#475569">
              {m.month}
            </text>
          </Linked>
        );
      })}
      {target > 0 ? (
        <g>
          <line x1={left} x2={width - left} y1={y(target)} y2={y(target)} stroke="#dc2626" strokeDasharray="6 4" strokeWidth="1.5" />
          <text x={width - left} y={y(target) - 4} fontSize="10" textAnchor="end" fill="#dc2626">
            {`${targetLabel} ${target}`}
          </text>
        </g>
      ) : null}
    </svg>
  );
}

/** The numbers behind a chart, folded away by default. */
export function ChartTable({
  summary,
  columns,
  rows,
  testId,
}: {
  summary: string;
  columns: string[];
  rows: Array<Array<ReactNode>>;
  testId?: string;
}) {
  return (
    <details className="mt-2 text-sm" data-testid={testId}>
      <summary className="cursor-pointer text-brand-700">{summary}</summary>
      <div className="mt-2 overflow-x-auto">
        <table className="table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {r.map((cell, j) => (
                  <td key={j}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
