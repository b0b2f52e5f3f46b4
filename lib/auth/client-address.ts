/**
 * The address a sign-in comes from, for the per-address bound on failed attempts.
 *
 * Next.js puts the connection's address in X-Forwarded-For when a request arrives without one;
 * a request that brings its own keeps it, whoever wrote it. Behind `trustedProxyHops` proxies
 * that each append the address they saw (nginx, Envoy and cloud load balancers do), the client's
 * address is that many entries from the right: entries further left were written by the client
 * and are never believed. With 0 (no proxy), the last entry is taken as it is: the connection's
 * own address unless the client sent the header itself (see the README: set TRUSTED_PROXY_HOPS
 * behind an Ingress).
 */
export function clientAddressOf(headers: Record<string, string | string[] | undefined>, trustedProxyHops: number): string {
  const raw = headers['x-forwarded-for'];
  const chain = (Array.isArray(raw) ? raw.join(',') : (raw ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // No proxy in front: a list can only have been written by the client; all such requests
  // share one bucket rather than each naming a fresh address.
  if (trustedProxyHops < 1 && chain.length > 1) return 'client-forwarded';
  const hops = Math.max(1, Math.floor(trustedProxyHops));
  // Fewer entries than proxies: the request did not come through them all; the nearest one is
  // still the best there is, and it cannot be chosen by the client.
  const entry = chain.length >= hops ? chain[chain.length - hops] : chain[0];
  return normalizeAddress(entry) ?? 'unknown';
}

/** An IPv4/IPv6 literal in one spelling (IPv4-mapped IPv6 as IPv4), or null for anything else. */
function normalizeAddress(value: string | undefined): string | null {
  if (!value) return null;
  const v = value.replace(/^\[|\](:\d+)?$/g, '').replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) return v;
  if (/^[0-9a-f:]+$/i.test(v) && v.includes(':') && v.length <= 45) return v.toLowerCase();
  return null;
}
