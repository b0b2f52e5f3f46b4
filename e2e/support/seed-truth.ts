// The seeded truth of the demo fleet, from the seed itself (same deterministic plan the dev
// cluster used), so the tests compare the dashboard against what is really in the pods.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSeed } from '../../devcluster/seed';
import type { SeedAgent } from '../../devcluster/seed/types';

let cached: Promise<SeedAgent[]> | null = null;

export function seededAgents(): Promise<SeedAgent[]> {
  cached ??= buildSeed('demo', { dataDir: mkdtempSync(path.join(tmpdir(), 'e2e-truth-')) }).then((s) => s.agents ?? []);
  return cached;
}

export const APPROVAL_LABEL: Record<string, string> = {
  manual: 'Manual',
  'auto-review': 'Auto-review',
  'full-access': 'Full access',
  custom: 'Custom',
};
