/** Groups of the grading machine's top states, and state keys of a snapshot. */
import type { StateValue } from "xstate";
import type { GradingSnapshot } from "./machine";


export type GradingTopState =
  | "draft"
  | "submitted"
  | "renewalCheck"
  | "accepted"
  | "reviewBodyAssigned"
  | "reviewAssigned"
  | "underReview"
  | "reviewReported"
  | "approved"
  | "publicNotice"
  | "certified"
  | "certifiedLowerLevel"
  | "rejected"
  | "withdrawn"
  | "stopped";

/** The enterprise may edit answers and evidence only here. */
export const editableStates: readonly GradingTopState[] = ["draft"];
/**
 * Enterprise master data is locked from submission until the application ends: the certificate
 * prints the name and credit code that were reviewed and publicly noticed.
 */
export const lockedStates: readonly GradingTopState[] = [
  "submitted",
  "renewalCheck",
  "accepted",
  "reviewBodyAssigned",
  "reviewAssigned",
  "underReview",
  "reviewReported",
  "approved",
  "publicNotice",
];
/** A running application: CREDIT_LISTED stops it. (A draft is not running; SUBMIT checks the listing.) */
export const activeStates: readonly GradingTopState[] = lockedStates;
export const finalStates: readonly GradingTopState[] = [
  "certified",
  "certifiedLowerLevel",
  "rejected",
  "withdrawn",
  "stopped",
];

function topStateKey(value: StateValue): string {
  return typeof value === "string" ? value : (Object.keys(value)[0] ?? "");
}

function isTopState(key: string): key is GradingTopState {
  return (
    editableStates.some((s) => s === key) ||
    lockedStates.some((s) => s === key) ||
    finalStates.some((s) => s === key)
  );
}

export function topStateOf(snapshot: GradingSnapshot): GradingTopState {
  const key = topStateKey(snapshot.value);
  if (!isTopState(key)) throw new Error(`Unknown grading state "${key}"`);
  return key;
}

/** Dotted path of the current leaf state, e.g. "underReview.rectification" (for the `state` column). */
export function stateKeyOf(snapshot: GradingSnapshot): string {
  const parts: string[] = [];
  let value: StateValue | undefined = snapshot.value;
  while (value !== undefined) {
    if (typeof value === "string") {
      parts.push(value);
      break;
    }
    const [key, child]: [string, StateValue | undefined] = Object.entries(value)[0] ?? [
      "",
      undefined,
    ];
    parts.push(key);
    value = child;
  }
  return parts.join(".");
}

export function isEditable(snapshot: GradingSnapshot): boolean {
  return editableStates.includes(topStateOf(snapshot));
}

export function isEnterpriseLocked(snapshot: GradingSnapshot): boolean {
  return lockedStates.includes(topStateOf(snapshot));
}
