/**
 * Where an item's evidence files appear in the wizard: the evidence panel (upload with progress,
 * download, delete with confirmation), told about the wizard so that the assessment version an
 * upload produced does not make the next autosave look like a conflict.
 */
import type { EvidenceFileView, EvidenceLimits } from "~/lib/evidence";
import { useWizard } from "./assessment-wizard";
import { EvidencePanel } from "./evidence-panel";

export type EvidenceSlotProps = {
  slug: string;
  assessmentId: string;
  itemId: string;
  files: EvidenceFileView[];
  canEdit: boolean;
  required: boolean;
  limits?: Pick<EvidenceLimits, "maxFileBytes" | "maxFilesPerItem">;
};

export function EvidenceSlot(props: EvidenceSlotProps) {
  const { noteVersion } = useWizard();
  return <EvidencePanel {...props} onChange={(_files, info) => noteVersion(info.version)} />;
}
