import { describe, expect, it } from 'vitest';
import { safeCallbackPath } from './callback-url';

const ORIGIN = 'https://dash.example.com';

describe('the callback after sign-in stays on the dashboard', () => {
  it('keeps paths on the dashboard, with their query and fragment', () => {
    expect(safeCallbackPath('/agents/c/ns/a?tab=images#top', ORIGIN)).toBe('/agents/c/ns/a?tab=images#top');
    expect(safeCallbackPath('https://dash.example.com/audit', ORIGIN)).toBe('/audit');
    expect(safeCallbackPath(undefined, ORIGIN)).toBe('/');
    expect(safeCallbackPath('', ORIGIN)).toBe('/');
    // Same scheme, no slashes: a relative path, as the browser reads it.
    expect(safeCallbackPath('https:evil.example', ORIGIN)).toBe('/evil.example');
  });

  it('refuses what a browser would take off-site: tabs and newlines dropped, other hosts, other schemes', () => {
    for (const hostile of [
      '/\t/evil.example/path',
      '/\n/evil.example/path',
      '/\r\n/evil.example',
      '//evil.example/path',
      '/\\evil.example',
      '\\\\evil.example',
      ' //evil.example',
      'https://evil.example/',
      'http://dash.example.com/',
      'https://dash.example.com.evil.example/',
      'javascript:alert(1)',
      'data:text/html,x',
    ]) {
      expect(safeCallbackPath(hostile, ORIGIN), JSON.stringify(hostile)).toBe('/');
    }
  });
});
