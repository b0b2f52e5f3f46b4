import { describe, expect, it } from 'vitest';
import { clientAddressOf } from './client-address';

describe('the client address of a sign-in', () => {
  it('without a proxy: the address Next.js put there; a list the client wrote shares one bucket', () => {
    expect(clientAddressOf({ 'x-forwarded-for': '203.0.113.9' }, 0)).toBe('203.0.113.9');
    expect(clientAddressOf({ 'x-forwarded-for': '::ffff:127.0.0.1' }, 0)).toBe('127.0.0.1');
    expect(clientAddressOf({ 'x-forwarded-for': '1.1.1.1, 2.2.2.2' }, 0)).toBe('client-forwarded');
    expect(clientAddressOf({ 'x-forwarded-for': '3.3.3.3, 4.4.4.4' }, 0)).toBe('client-forwarded');
    expect(clientAddressOf({}, 0)).toBe('unknown');
  });

  it('behind N proxies: the entry N from the right, never one the client wrote further left', () => {
    expect(clientAddressOf({ 'x-forwarded-for': '6.6.6.6, 198.51.100.7' }, 1)).toBe('198.51.100.7');
    expect(clientAddressOf({ 'x-forwarded-for': '6.6.6.6, 198.51.100.7, 10.0.0.2' }, 2)).toBe('198.51.100.7');
    expect(clientAddressOf({ 'x-forwarded-for': '2001:DB8::1' }, 1)).toBe('2001:db8::1');
    expect(clientAddressOf({ 'x-forwarded-for': 'not-an-address' }, 1)).toBe('unknown');
  });
});
