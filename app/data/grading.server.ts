/**
 * The grading workflow of one application, persisted (DOMAIN.md §5, docs/decisions/005-grading-workflow-persistence.md).
 *
 * `applyApplicationEvent` is the one way an application changes state:
 *   load (tenant-scoped) → authorise → validate the payload → add the server's facts (score from
 *   the pinned rubric, missing evidence, credit listing, conflicted reviewers, clock, calendar) →
 *   pure transition (app/workflows/grading.machine.ts) → ONE compare-and-set that writes the
 *   snapshot, the `state` column, the history entry and the transition's effects → carry the
 *   effects out (emails, enterprise lock). Effects are keyed `<applicationId>:v<version>:<n>`, so
 *   carrying them out again (a retry, the job's redelivery sweep) never duplicates anything.
 *
 * The application document is never written without `casUpdate`: on FerretDB a plain filtered
 * update is a read-modify-write of the whole document and would undo a concurrent transition
 * (docs/decisions/001-compare-and-set.md).
 */

export * from "./grading/access.server";
export * from "./grading/snapshot.server";
export * from "./grading/facts.server";
export * from "./grading/results.server";
export * from "./grading/apply.server";
export * from "./grading/preview.server";
export * from "./grading/effects.server";
export * from "./grading/deadlines.server";
export * from "./grading/objections.server";
export * from "./grading/rejection-block.server";
export * from "./grading/rectification.server";
export * from "./grading/rectification-views.server";
export * from "./grading/organizer-setting.server";
