/**
 * The self-assessment wizard shows a large element in parts (issue 13 item 5, decision 028): at
 * most WIZARD_PART_ITEMS items per page, split at sub-element boundaries with the review sheet's
 * rule (`elementPages`), so a page's HTML stays light. Pure and client-safe: the server picks the
 * part to render, the browser draws the outline and the prev/next links from the same rule.
 */
import { elementPages } from "~/lib/review/sheet";

export const WIZARD_PART_ITEMS = 12;

type ElementShape<S> = { id: string; subElements: readonly S[] };
type SubShape = { items: readonly { id: string }[] };

/** The element's parts: each a run of whole sub-elements. */
export function wizardParts<S extends SubShape>(element: ElementShape<S>): S[][] {
  return elementPages(element.subElements, WIZARD_PART_ITEMS);
}

/** The part (1-based) holding an item, or null when the element does not hold it. */
export function partOfItem<S extends SubShape>(element: ElementShape<S>, itemId: string): number | null {
  const index = wizardParts(element).findIndex((part) => part.some((sub) => sub.items.some((i) => i.id === itemId)));
  return index >= 0 ? index + 1 : null;
}

/** A part number from the URL, clamped to the element's parts (missing or malformed: the first). */
export function clampPart(raw: string | null, parts: number): number {
  const n = raw && /^\d{1,3}$/.test(raw) ? Number(raw) : 1;
  return Math.min(Math.max(n, 1), Math.max(parts, 1));
}

export type WizardPage = { elementId: string; part: number };

/** Every page of the wizard in order: each element's parts. */
export function wizardSequence<S extends SubShape>(elements: readonly ElementShape<S>[]): WizardPage[] {
  return elements.flatMap((el) => wizardParts(el).map((_, i) => ({ elementId: el.id, part: i + 1 })));
}

/** The page before and after one page of the wizard (null at either end). */
export function neighbours<S extends SubShape>(elements: readonly ElementShape<S>[], page: WizardPage) {
  const sequence = wizardSequence(elements);
  const at = sequence.findIndex((p) => p.elementId === page.elementId && p.part === page.part);
  return { prev: at > 0 ? (sequence[at - 1] ?? null) : null, next: at >= 0 ? (sequence[at + 1] ?? null) : null };
}

/** The element page's URL of one part (part 1 keeps the element's old URL). */
export function partPath(base: string, page: WizardPage): string {
  return page.part > 1 ? `${base}/${page.elementId}?part=${page.part}` : `${base}/${page.elementId}`;
}
