import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { auditSigningKey, signAuditEntry, UNVERIFIED, verifyAuditEntry, type SignedAuditFields } from './signature';

const fields: SignedAuditFields = {
  cluster: 'ctx',
  namespace: 'agents',
  deployment: 'openab-codex',
  record: '{"action":"restart","id":"ab"}',
  message: 'olivia (operator): restart success',
  type: 'Normal',
};

describe('audit entry signatures', () => {
  it('the key is derived from NEXTAUTH_SECRET under its own purpose: not the secret, stable, different per secret', () => {
    const key = auditSigningKey('s3cret-s3cret-s3cret-s3cret-s3cret')!;
    expect(key).toHaveLength(32);
    expect(auditSigningKey('s3cret-s3cret-s3cret-s3cret-s3cret')!.equals(key)).toBe(true);
    expect(auditSigningKey('other-other-other-other-other-other')!.equals(key)).toBe(false);
    expect(key.toString('utf8')).not.toContain('s3cret');
    expect(auditSigningKey('')).toBeNull();
    expect(auditSigningKey(undefined)).toBeNull();
    // Not an HMAC keyed by the secret itself: a signature made with the raw secret does not verify.
    const raw = `v1.${createHmac('sha256', 's3cret-s3cret-s3cret-s3cret-s3cret')
      .update(JSON.stringify(['v1', ...Object.values(fields)]))
      .digest('base64url')}`;
    expect(verifyAuditEntry(fields, raw, key).verified).toBe(false);
  });

  it('verifies what it signed, and nothing changed in any field', () => {
    const key = auditSigningKey('s3cret-s3cret-s3cret-s3cret-s3cret')!;
    const sig = signAuditEntry(fields, key);
    expect(sig).toMatch(/^v1\.[A-Za-z0-9_-]{43}$/);
    expect(verifyAuditEntry(fields, sig, key)).toEqual({ verified: true });
    for (const k of Object.keys(fields) as Array<keyof SignedAuditFields>) {
      expect(verifyAuditEntry({ ...fields, [k]: `${fields[k]}x` }, sig, key), k).toEqual({ verified: false, reason: UNVERIFIED.mismatch });
    }
    // Fields cannot run into each other.
    expect(verifyAuditEntry({ ...fields, namespace: 'agentsopenab-codex', deployment: '' }, sig, key).verified).toBe(false);
    expect(verifyAuditEntry(fields, sig.slice(0, -1), key).verified).toBe(false);
    expect(verifyAuditEntry(fields, 'garbage', key).verified).toBe(false);
  });

  it('says why an entry is unverified, in plain words', () => {
    const key = auditSigningKey('s3cret-s3cret-s3cret-s3cret-s3cret')!;
    expect(verifyAuditEntry(fields, undefined, key)).toEqual({ verified: false, reason: UNVERIFIED.unsigned });
    expect(verifyAuditEntry(fields, signAuditEntry(fields, key), null)).toEqual({ verified: false, reason: UNVERIFIED.noKey });
    expect(verifyAuditEntry(fields, signAuditEntry(fields, auditSigningKey('other-other-other-other-other-other')!), key)).toEqual({
      verified: false,
      reason: UNVERIFIED.mismatch,
    });
  });
});
