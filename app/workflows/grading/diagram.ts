/** Mermaid diagram of a machine, read from its definition (docs/grading-workflow.mmd). */
import type { AnyStateMachine, AnyStateNode } from "xstate";


function mermaidId(node: AnyStateNode): string {
  return node.path.join("_");
}

/** A transition guard's name as the machine declares it (string, `{ type }` or a named function). */
export function guardName(guard: unknown): string | null {
  if (typeof guard === "string") return guard;
  if (
    typeof guard === "object" &&
    guard !== null &&
    "type" in guard &&
    typeof guard.type === "string"
  )
    return guard.type;
  if (typeof guard === "function" && guard.name) return guard.name;
  return null;
}

/**
 * A Mermaid stateDiagram-v2 of any machine, read from its definition (states, initial states,
 * transitions, final states). Guards are shown only where they choose between several targets
 * of one event.
 */
export function toMermaid(machine: AnyStateMachine): string {
  const lines = ["stateDiagram-v2"];
  const edges: string[] = [];

  const walk = (node: AnyStateNode, indent: string): void => {
    const children: AnyStateNode[] = Object.values(node.states);
    if (children.length > 0) {
      const initial = node.initial.target[0];
      if (initial) lines.push(`${indent}[*] --> ${mermaidId(initial)}`);
    }
    for (const child of children) {
      const id = mermaidId(child);
      const named = id === child.key ? id : `"${child.key}" as ${id}`;
      if (Object.keys(child.states).length > 0) {
        lines.push(`${indent}state ${id} {`);
        walk(child, `${indent}  `);
        lines.push(`${indent}}`);
      } else if (id !== child.key) {
        lines.push(`${indent}state ${named}`);
      } else {
        lines.push(`${indent}${id}`);
      }
      if (child.type === "final") edges.push(`  ${id} --> [*]`);
      for (const [eventType, defs] of child.transitions) {
        for (const def of defs) {
          const guard = defs.length > 1 ? guardName(def.guard) : null;
          const label = guard ? `${eventType} [${guard}]` : eventType;
          for (const target of def.target ?? [child])
            edges.push(`  ${id} --> ${mermaidId(target)} : ${label}`);
        }
      }
      for (const def of child.always ?? []) {
        const guard = guardName(def.guard);
        for (const target of def.target ?? []) {
          edges.push(`  ${id} --> ${mermaidId(target)}${guard ? ` : [${guard}]` : ""}`);
        }
      }
    }
  };

  walk(machine.root, "  ");
  return [...lines, ...edges].join("\n") + "\n";
}
