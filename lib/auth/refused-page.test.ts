import { describe, expect, it } from 'vitest';
import { refusedNotice, refusedRedirect } from './refused-page';

describe('refused pages', () => {
  it('names the page it refused in the redirect, and nothing for other pages', () => {
    expect(refusedRedirect('/deliveries')).toBe('/?refused=deliveries');
    expect(refusedRedirect('/audit?agent=x')).toBe('/?refused=audit');
    expect(refusedRedirect('/admin/sessions')).toBe('/?refused=sessions');
    expect(refusedRedirect('/images')).toBe('/');
  });

  it('says which role the page needs and which the person has', () => {
    expect(refusedNotice('deliveries', 'viewer')).toBe('Deliveries needs the Support role; you are signed in as Viewer.');
    expect(refusedNotice(['audit'], 'support')).toBe('Audit needs the Operator role; you are signed in as Support.');
  });

  it('shows nothing for an unknown or malformed value', () => {
    for (const v of [undefined, '', 'admin', '<script>', 'toString', '__proto__', ['nope'], 1])
      expect(refusedNotice(v, 'viewer')).toBeNull();
  });
});
