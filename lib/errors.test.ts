import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { handleServerError, httpStatusOf, INTERNAL_ERROR_MESSAGE, UserFacingError } from './errors';
import { ClusterError, toClusterError } from './k8s/errors';

const root = path.resolve(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const rel = path.join(dir, name);
    if (statSync(path.join(root, rel)).isDirectory()) return sources(rel);
    return /\.tsx?$/.test(name) ? [rel] : [];
  });
}

describe('the one translator from thrown errors to what the user gets', () => {
  it('passes a user-facing error on with its code and words', () => {
    expect(handleServerError(new UserFacingError('config.toml changed while it was being read. Try again.', 'conflict'))).toEqual({
      code: 'conflict',
      message: 'config.toml changed while it was being read. Try again.',
    });
    expect(handleServerError(new UserFacingError('Codex refused it.'))).toEqual({ code: 'failed', message: 'Codex refused it.' });
  });

  it('gives a cluster error a code from its kind, and keeps its words', () => {
    const gone = new ClusterError("Not found: there is no Codex agent c/ns/x in this dashboard's scope.", 'not-found', 404);
    expect(handleServerError(gone)).toEqual({ code: 'not-found', message: gone.message });
    expect(handleServerError(toClusterError({ code: 409, body: '{"message":"the object changed"}' }, 'patching'))).toMatchObject({
      code: 'conflict',
    });
    expect(handleServerError(toClusterError(new Error('connect ECONNREFUSED 10.0.0.1:443'), 'listing'))).toMatchObject({
      code: 'unavailable',
    });
  });

  it('summarises anything else without its internals', () => {
    const logged: string[] = [];
    const original = console.error;
    console.error = (line: string) => logged.push(line);
    try {
      expect(handleServerError(new TypeError('cannot read properties of undefined (reading "token")'))).toEqual({
        code: 'internal',
        message: INTERNAL_ERROR_MESSAGE,
      });
    } finally {
      console.error = original;
    }
    expect(logged).toHaveLength(1);
  });

  it('maps codes to HTTP statuses for route handlers', () => {
    expect(httpStatusOf('not-found')).toBe(404);
    expect(httpStatusOf('unauthenticated')).toBe(401);
    expect(httpStatusOf('forbidden')).toBe(403);
    expect(httpStatusOf('unavailable')).toBe(502);
    expect(httpStatusOf('internal')).toBe(500);
  });
});

describe('where errors are decided', () => {
  it('lib/ takes its error type from lib/errors.ts, never from the web guard', () => {
    const offenders = sources('lib').filter(
      (f) =>
        !f.startsWith(`lib${path.sep}auth${path.sep}`) &&
        /from '(\.\.\/)+auth\/guard'|from '@\/lib\/auth\/guard'/.test(readFileSync(path.join(root, f), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('no page, route or component decides on the words of an error (only on its code)', () => {
    const onWords = /\.(test|match)\(\s*[\w.?]*\b(error|message)\s*\)|\b(error|message)\??\.(includes|startsWith|match)\(/;
    const offenders = [...sources('app'), ...sources('components')].flatMap((f) =>
      readFileSync(path.join(root, f), 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${f}:${i + 1}` }))
        .filter(({ line }) => onWords.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});
