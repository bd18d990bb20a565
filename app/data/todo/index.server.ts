/**
 * Everyone's home is a to-do list (issue 17). TODO_SOURCES is the one list of kinds of waiting
 * work: a new workflow step adds ONE entry here (a source with its permissions and a `collect`
 * that calls the same data function as the step's list page), and every home shows it.
 */
import { can } from "~/lib/permissions";
import { sortTodos, type TodoItem } from "~/lib/todo";
import { ENTERPRISE_TODO_SOURCES } from "./enterprise.server";
import { PEOPLE_TODO_SOURCES } from "./people.server";
import { REGULATOR_TODO_SOURCES } from "./regulator.server";
import type { TodoContext, TodoSource } from "./types.server";

export type { TodoContext, TodoSource } from "./types.server";

export const TODO_SOURCES: readonly TodoSource[] = [
  ...ENTERPRISE_TODO_SOURCES,
  ...REGULATOR_TODO_SOURCES,
  ...PEOPLE_TODO_SOURCES,
];

export function sourcesFor(
  ctx: TodoContext,
  sources: readonly TodoSource[] = TODO_SOURCES,
): TodoSource[] {
  return sources.filter(
    (s) => s.anyOf.some((p) => can(ctx.member.permissions, p)) && (s.applies?.(ctx) ?? true),
  );
}

/** The member's to-dos with something waiting (count > 0), most urgent first. */
export async function collectTodos(
  ctx: TodoContext,
  sources: readonly TodoSource[] = TODO_SOURCES,
): Promise<TodoItem[]> {
  const lists = await Promise.all(sourcesFor(ctx, sources).map((s) => s.collect(ctx)));
  return sortTodos(lists.flat().filter((i) => i.count > 0));
}
