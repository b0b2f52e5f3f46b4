// Every route handler and server action must be built by the guard's wrappers, so none can
// forget the session and role check. The end-to-end suite (e2e/guard.spec.ts) then calls each
// one over HTTP without a session and with too low a role.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const appDir = path.resolve(__dirname, '../../app');
// next-auth's own endpoints protect themselves (CSRF token, provider callbacks).
const EXEMPT = new Set(['api/auth/[...nextauth]/route.ts']);
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

export function guardedSources() {
  const files = walk(appDir).map((f) => path.relative(appDir, f).split(path.sep).join('/'));
  return {
    routes: files.filter((f) => /(^|\/)route\.ts$/.test(f) && !EXEMPT.has(f)),
    actions: files.filter((f) => /(^|\/|-)actions\.ts$/.test(f)),
  };
}

describe('the guard covers every entry point', () => {
  const { routes, actions } = guardedSources();

  it('finds the route handlers', () => {
    expect(routes).toContain('api/fleet/route.ts');
  });

  for (const file of routes) {
    it(`route ${file}: every exported method goes through defineRoute`, () => {
      const text = readFileSync(path.join(appDir, file), 'utf8');
      const exported = HTTP_METHODS.filter((m) => new RegExp(`export\\s+(const|async function|function)\\s+${m}\\b`).test(text));
      expect(exported.length).toBeGreaterThan(0);
      for (const method of exported) {
        expect(text, `${file} ${method}`).toMatch(new RegExp(`export\\s+const\\s+${method}\\s*=\\s*defineRoute\\(`));
      }
      expect(text).not.toMatch(/export\s*\{/);
    });
  }

  for (const file of actions) {
    it(`actions ${file}: every export is built by defineAction`, () => {
      const text = readFileSync(path.join(appDir, file), 'utf8');
      expect(text.startsWith("'use server'")).toBe(true);
      const exports = [...text.matchAll(/export\s+(const|async function|function|let|var)\s+(\w+)/g)];
      for (const [, kind, name] of exports) {
        expect(kind, `${file} ${name}`).toBe('const');
        expect(text, `${file} ${name}`).toMatch(new RegExp(`export\\s+const\\s+${name}\\s*=\\s*defineAction\\(`));
      }
      expect(text).not.toMatch(/export\s*\{|export\s+default/);
    });
  }
});
