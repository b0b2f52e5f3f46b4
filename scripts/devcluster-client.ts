// Talks to a running dev cluster as its admin: control endpoints (knobs, stats, recordings)
// for the benchmark and the end-to-end tests.
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import type { DevClusterState } from './stack';

export function devClusterClient(state: DevClusterState) {
  const caB64 = /certificate-authority-data: (\S+)/.exec(readFileSync(state.kubeconfig, 'utf8'))?.[1];
  if (!caB64) throw new Error(`no CA in ${state.kubeconfig}`);
  const dispatcher = new Agent({ connect: { ca: Buffer.from(caB64, 'base64').toString() } });
  async function call<T = unknown>(method: string, pathname: string, body?: unknown, token = state.tokens.admin): Promise<T> {
    const res = await fetch(`${state.url}${pathname}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      // @ts-expect-error undici's dispatcher option on Node's fetch
      dispatcher,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${pathname}: ${res.status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : null) as T;
  }
  return {
    call,
    stats: () => call<{ requests: number; execs: number; byRequest: Record<string, number> }>('GET', '/_devcluster/stats'),
    resetStats: () => call('POST', '/_devcluster/stats/reset'),
    knobs: (k: Record<string, unknown>) => call('POST', '/_devcluster/knobs', k),
    crashloop: (namespace: string, deployment: string, on: boolean) =>
      call('POST', '/_devcluster/crashloop', { namespace, deployment, on }),
    recordExecs: (on: boolean) => call('POST', '/_devcluster/exec-recording', { on }),
    execRecording: () => call<unknown>('GET', '/_devcluster/exec-recording'),
    close: () => dispatcher.close(),
  };
}
