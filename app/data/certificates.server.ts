/**
 * Certificates (DOMAIN.md §6): issued once per certified application, numbered without gaps or
 * duplicates per tenant and year, verified publicly by an unguessable code, suspended, reinstated
 * or revoked by the regulator (reason required), expired and reminded by a scheduled job.
 *
 * Concurrency (docs/decisions/001 and 006):
 * - Issue: the certificate insert itself is the claim. It carries the unique key
 *   `certno:<tenantId>:<year>:<seq>` (`seqKey`) and the application id, both under unique indexes;
 *   a duplicate seq moves to the next number, a duplicate application returns the first
 *   certificate. Nothing is reserved before the insert, so a crash cannot leave a gap.
 * - Status changes go through `casUpdate` (compare-and-set on `version`, arbitrated by a claim).
 */

// Split by responsibility into ./certificates/; this module keeps the public surface in one place.
export * from "./certificates/settings.server";
export * from "./certificates/issue.server";
export * from "./certificates/queries.server";
export * from "./certificates/verify.server";
export * from "./certificates/status.server";
export * from "./certificates/renewal.server";
export * from "./certificates/notify.server";
export * from "./certificates/lifecycle.server";
