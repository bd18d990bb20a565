/** A to-do source: one kind of waiting work, shown to members with one of its permissions. */
import type { Member } from "~/auth.server";
import type { Permission } from "~/lib/permissions";
import type { TodoItem } from "~/lib/todo";
import type { TenantView } from "../tenants.server";

export type TodoContext = {
  tenant: TenantView;
  member: Member;
  now: Date;
  /** `/t/<slug>`: links are built from it. */
  base: string;
};

export type TodoSource = {
  key: string;
  /** The source runs for members holding any of these permissions … */
  anyOf: readonly Permission[];
  /** … and, when given, only if this holds too (e.g. the member belongs to an enterprise). */
  applies?: (ctx: TodoContext) => boolean;
  collect: (ctx: TodoContext) => Promise<TodoItem[]>;
};

export const ofEnterprise = (ctx: TodoContext): boolean => ctx.member.enterpriseId !== null;

export function isPast(iso: string | null | undefined, now: Date): boolean {
  return Boolean(iso) && new Date(iso ?? "").getTime() < now.getTime();
}
