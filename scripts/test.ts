// `npm test`: every suite (unit, integration and conformance under vitest; end-to-end under
// Playwright against a production build), then one line with the totals.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BUBBLEWRAP, CHROMIUM, MMDEBSTRAP, SHELLCHECK, ensureMachineTools } from './machine-tools';
import { preparePods } from '../devcluster/runtime/index';

const root = path.resolve(__dirname, '..');
const results = path.join(root, 'test-results');
mkdirSync(results, { recursive: true });
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}
const suites: Array<{ name: string } & Totals> = [];

function run(cmd: string, args: string[], env: Record<string, string> = {}): number {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function readJson(file: string): any {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

// 0. what the machine must have: the tools (installed here when root with apt, else one line
// says what to install, before anything runs), then the pods' image and the Codex versions of
// the field, fetched and built once per machine.
const lacking = ensureMachineTools(
  process.env.CHROMIUM_PATH ? [BUBBLEWRAP, MMDEBSTRAP, SHELLCHECK] : [CHROMIUM, BUBBLEWRAP, MMDEBSTRAP, SHELLCHECK],
);
if (lacking) {
  console.error(`\n${lacking}`);
  writeFileSync(path.join(results, 'totals.txt'), '0 passed, 1 failed\n');
  process.exit(1);
}
const pods = preparePods((line) => console.log(line));
if (!pods.onImage) console.log(`Pods run on this machine's own system, not on the pods' image: ${pods.why}.`);

// 1. the production build: the end-to-end suite and a few vitest files (the container image's
// runtime stage, the chart's RBAC under the demo stack) run against it.
const chromium = existsSync('/usr/bin/chromium') || Boolean(process.env.CHROMIUM_PATH);
const buildCode = process.env.SKIP_BUILD ? 0 : run(bin('next'), ['build']);
if (buildCode !== 0) suites.push({ name: 'build (next build)', passed: 0, failed: 1, skipped: 0 });

// 2. vitest: lib, devcluster, scripts.
const vitestOut = path.join(results, 'vitest.json');
const vitestCode = run(bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${vitestOut}`]);
const v = readJson(vitestOut);
suites.push({
  name: 'unit+integration (vitest)',
  passed: v?.numPassedTests ?? 0,
  failed: (v?.numFailedTests ?? 0) + (v ? 0 : 1) + (v && vitestCode !== 0 && !v.numFailedTests ? 1 : 0),
  skipped: (v?.numPendingTests ?? 0) + (v?.numTodoTests ?? 0),
});

// 3. types across everything (the build checks only the app's own code).
const tscCode = run(bin('tsc'), ['--noEmit', '-p', 'tsconfig.json']);
suites.push({ name: 'typecheck (tsc)', passed: tscCode === 0 ? 1 : 0, failed: tscCode === 0 ? 0 : 1, skipped: 0 });

// 3b. the programs that run in pods (lib/pod/programs): shellcheck over each shell program as
// POSIX sh (the pods' /bin/sh is dash), one test per file, and the type check of their
// JavaScript under its own tsconfig.
const programsDir = path.join(root, 'lib', 'pod', 'programs');
const shellPrograms = [...readdirSync(programsDir), ...readdirSync(path.join(programsDir, 'skill')).map((f) => `skill/${f}`)].filter((f) =>
  f.endsWith('.sh'),
);
const shellFailed = shellPrograms.filter(
  (f) => spawnSync('shellcheck', ['-x', '-s', 'sh', f], { cwd: programsDir, stdio: 'inherit' }).status !== 0,
);
suites.push({
  name: 'pod shell programs (shellcheck)',
  passed: shellPrograms.length - shellFailed.length,
  failed: shellFailed.length + (shellPrograms.length ? 0 : 1),
  skipped: 0,
});
const podTscCode = run(bin('tsc'), ['--noEmit', '-p', path.join(programsDir, 'node')]);
suites.push({ name: 'pod node programs (tsc)', passed: podTscCode === 0 ? 1 : 0, failed: podTscCode === 0 ? 0 : 1, skipped: 0 });

// 3c. lint (ESLint with Next's rules) and format (Prettier), as `npm run lint` and `npm run
// format:check` run them; like the typecheck, a clean run counts as one passed.
for (const [name, script] of [
  ['lint (eslint)', 'lint'],
  ['format (prettier --check)', 'format:check'],
] as const) {
  const code = run('npm', ['run', '--silent', script]);
  suites.push({ name, passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 });
}

// 4. end-to-end: Playwright in Chromium against the build.
if (!chromium) {
  console.error(
    '\nChromium is not installed: the end-to-end suite cannot run. Install it with `apt-get install -y chromium` (see README).',
  );
  suites.push({ name: 'end-to-end (playwright)', passed: 0, failed: 1, skipped: 0 });
} else if (buildCode === 0) {
  const pwOut = path.join(results, 'playwright.json');
  const pwCode = run(bin('playwright'), ['test'], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwOut });
  const p = readJson(pwOut);
  const stats = p?.stats;
  suites.push({
    name: 'end-to-end (playwright)',
    passed: (stats?.expected ?? 0) + (stats?.flaky ?? 0),
    failed: (stats?.unexpected ?? 0) + (stats ? 0 : 1) + (stats && pwCode !== 0 && !stats.unexpected ? 1 : 0),
    skipped: stats?.skipped ?? 0,
  });
}

const total = suites.reduce((t, s) => ({ passed: t.passed + s.passed, failed: t.failed + s.failed, skipped: t.skipped + s.skipped }), {
  passed: 0,
  failed: 0,
  skipped: 0,
});
console.log('');
for (const s of suites) console.log(`${s.name}: ${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}`);
const line = `${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ''}`;
writeFileSync(path.join(results, 'totals.txt'), line + '\n');
console.log(line);
process.exit(total.failed > 0 ? 1 : 0);
