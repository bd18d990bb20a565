/**
 * Work-safety credit-list records (失信名单, DOMAIN.md §7), persisted. The modules by
 * responsibility are in ./credit/: settings, access (who sees / acts), drafts, events (one
 * compare-and-set per transition), effects (emails, joint punishment, the public read model;
 * idempotent), lifecycle (the scheduled job), the list and the record view. This module keeps the
 * import path the routes and tests use.
 */
export { creditSettings, getCreditSettings, repairAllowedFrom, type CreditSettings } from "./credit/settings.server";
export {
  canViewCreditRecord,
  creditRoleFor,
  type CreditEventActor,
  type CreditMember,
} from "./credit/access.server";
export { blockKey } from "./credit/record-helpers.server";
export { createCreditDraft, updateCreditDraft, type CreditWriteResult } from "./credit/drafts.server";
export { applyCreditRecordEvent, type ApplyCreditEventInput, type CreditEventResult } from "./credit/events.server";
export { carryOutCreditEffects, type EffectsRun } from "./credit/effects.server";
export { runCreditLifecycle, type CreditLifecycleRun } from "./credit/lifecycle.server";
export {
  CREDIT_PAGE_SIZE,
  creditRecordsOfEnterprise,
  listCreditRecords,
  type CreditListFilters,
  type CreditListItem,
} from "./credit/records-list.server";
export {
  availableCreditActions,
  findVisibleCreditRecord,
  toCreditRecordView,
  type CreditFileView,
  type CreditRecordView,
} from "./credit/record-view.server";
