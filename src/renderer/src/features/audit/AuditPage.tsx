import { CommitsCard } from './CommitsCard';
import { ExportCard } from './ExportCard';
import { KeysCard } from './KeysCard';
import { VerifyCard } from './VerifyCard';

/** Audit: export a task's signed bundle, verify a bundle file offline, browse the audit repository. */
export function AuditPage() {
  return (
    <>
      <ExportCard />
      <VerifyCard />
      <CommitsCard />
      <KeysCard />
    </>
  );
}
