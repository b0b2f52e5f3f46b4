// Audit entries are Kubernetes Events, and anyone who may create Events in an agent's
// namespace could write one with the dashboard's reason. So the dashboard signs each entry
// it records with a key only it holds (derived from NEXTAUTH_SECRET under a purpose label of
// its own, so the key that signs sessions is never used here as it is), and the pages check
// the signature when they read the entry back.
import 'server-only';
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { getSettings } from '../settings';

/** The Event annotation that holds an entry's signature. */
export const AUDIT_SIGNATURE_ANNOTATION = 'openab.dev/audit-signature';
const PURPOSE = 'openab-dashboard audit entry signature v1';
const VERSION = 'v1';

/** What a signature covers: everything shown of an entry, and where it was recorded. */
export interface SignedAuditFields {
  /** The dashboard's id of the cluster (its kubeconfig context). */
  cluster: string;
  /** The Event's own namespace and the Deployment it is about. */
  namespace: string;
  deployment: string;
  /** The entry's record annotation, exactly as stored (who, what, result, before, after, when, id). */
  record: string;
  message: string;
  type: string;
}

export type AuditVerification = { verified: true } | { verified: false; reason: string };

let cached: { secret: string; key: Buffer } | null = null;

/** The signing key, derived from NEXTAUTH_SECRET with HKDF; null when there is no secret. */
export function auditSigningKey(secret: string | undefined = getSettings().auth.secret): Buffer | null {
  if (!secret) return null;
  if (cached?.secret !== secret) cached = { secret, key: Buffer.from(hkdfSync('sha256', secret, '', PURPOSE, 32)) };
  return cached.key;
}

function mac(fields: SignedAuditFields, key: Buffer): string {
  // A JSON array: no field can run into the next one.
  const payload = JSON.stringify([
    VERSION,
    fields.cluster,
    fields.namespace,
    fields.deployment,
    fields.record,
    fields.message,
    fields.type,
  ]);
  return `${VERSION}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
}

export function signAuditEntry(fields: SignedAuditFields, key: Buffer): string {
  return mac(fields, key);
}

export const UNVERIFIED = {
  noKey: 'The dashboard has no NEXTAUTH_SECRET, so it cannot tell whether it wrote this entry.',
  unsigned: 'Not signed by this dashboard: anyone allowed to create Events in this namespace could have written it.',
  mismatch:
    'The signature does not match: the entry was changed or moved after it was recorded, or was signed under another NEXTAUTH_SECRET.',
  copy: 'A copy of another entry: the dashboard recorded it once.',
} as const;

export function verifyAuditEntry(fields: SignedAuditFields, signature: string | undefined, key: Buffer | null): AuditVerification {
  if (!key) return { verified: false, reason: UNVERIFIED.noKey };
  if (!signature) return { verified: false, reason: UNVERIFIED.unsigned };
  const got = Buffer.from(signature);
  const expected = Buffer.from(mac(fields, key));
  if (got.length !== expected.length || !timingSafeEqual(got, expected)) return { verified: false, reason: UNVERIFIED.mismatch };
  return { verified: true };
}
