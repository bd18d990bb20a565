import { useT } from "~/i18n/react";
import { STATUS_STYLE, type CertificateStatus } from "~/lib/certificate";

/** The status in words and colour (the colour is never the only signal). */
export function CertificateStatusBadge({ status }: { status: CertificateStatus }) {
  const t = useT();
  return (
    <span className={`badge ${STATUS_STYLE[status].badge}`} data-status={status}>
      {t(`certificate.status.${status}`)}
    </span>
  );
}
