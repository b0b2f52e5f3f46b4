// Test and benchmark knobs: latency, injected faults, exec faults and counters.
export interface FaultSpec {
  pathRegex?: string;
  verb?: string;
  status: 500 | 429 | 'timeout';
  count?: number;
}

export interface KnobsUpdate {
  latencyMs?: number;
  execLatencyMs?: number;
  faults?: FaultSpec[];
  execFault?: { kind: 'drop' | 'stall'; count?: number } | null;
  /** Time between BOOKMARK events of watches that allow them (kube-apiserver: about a minute). */
  watchBookmarkMs?: number;
}

interface ActiveFault {
  re: RegExp | null;
  verb: string | null;
  status: 500 | 429 | 'timeout';
  remaining: number;
}

export class Knobs {
  latencyMs = 0;
  execLatencyMs = 0;
  requests = 0;
  execs = 0;
  watchBookmarkMs = 60_000;
  /** Requests by what they asked (`get apps/deployments ns/name`), to count reads per page view. */
  byRequest = new Map<string, number>();
  private faults: ActiveFault[] = [];
  private execFault: { kind: 'drop' | 'stall'; remaining: number } | null = null;

  update(u: KnobsUpdate): void {
    if (u.latencyMs !== undefined) this.latencyMs = Math.max(0, Number(u.latencyMs) || 0);
    if (u.execLatencyMs !== undefined) this.execLatencyMs = Math.max(0, Number(u.execLatencyMs) || 0);
    if (u.watchBookmarkMs !== undefined) this.watchBookmarkMs = Math.max(50, Number(u.watchBookmarkMs) || 60_000);
    if (u.faults !== undefined) {
      this.faults = (u.faults ?? []).map((f) => {
        if (f.status !== 500 && f.status !== 429 && f.status !== 'timeout') throw new Error(`fault status must be 500, 429 or "timeout"`);
        return {
          re: f.pathRegex ? new RegExp(f.pathRegex) : null,
          verb: f.verb ? f.verb.toLowerCase() : null,
          status: f.status,
          remaining: f.count ?? Infinity,
        };
      });
    }
    if (u.execFault !== undefined)
      this.execFault = u.execFault ? { kind: u.execFault.kind, remaining: u.execFault.count ?? Infinity } : null;
  }

  describe() {
    return {
      latencyMs: this.latencyMs,
      execLatencyMs: this.execLatencyMs,
      watchBookmarkMs: this.watchBookmarkMs,
      faults: this.faults.map((f) => ({
        pathRegex: f.re?.source,
        verb: f.verb ?? undefined,
        status: f.status,
        count: Number.isFinite(f.remaining) ? f.remaining : undefined,
      })),
      execFault: this.execFault
        ? { kind: this.execFault.kind, count: Number.isFinite(this.execFault.remaining) ? this.execFault.remaining : undefined }
        : null,
    };
  }

  /** The fault to inject for this request, consuming one use. `verb` may be the API verb or the HTTP method. */
  takeFault(url: string, verb: string, method: string): ActiveFault['status'] | null {
    for (const f of this.faults) {
      if (f.remaining <= 0) continue;
      if (f.re && !f.re.test(url)) continue;
      if (f.verb && f.verb !== verb && f.verb !== method.toLowerCase()) continue;
      f.remaining--;
      return f.status;
    }
    return null;
  }

  takeExecFault(): 'drop' | 'stall' | undefined {
    if (!this.execFault || this.execFault.remaining <= 0) return undefined;
    this.execFault.remaining--;
    return this.execFault.kind;
  }

  countRequest(verb: string, a: { group?: string; resource: string; subresource?: string; namespace?: string; name?: string }): void {
    const what = `${a.group ? `${a.group}/` : ''}${a.resource}${a.subresource ? `/${a.subresource}` : ''}`;
    const key = `${verb} ${what}${a.namespace ? ` ${a.namespace}${a.name ? `/${a.name}` : ''}` : a.name ? ` ${a.name}` : ''}`;
    this.byRequest.set(key, (this.byRequest.get(key) ?? 0) + 1);
  }

  stats() {
    return { requests: this.requests, execs: this.execs, byRequest: Object.fromEntries(this.byRequest) };
  }

  resetStats(): void {
    this.requests = 0;
    this.execs = 0;
    this.byRequest.clear();
  }
}

export interface ExecRecord {
  namespace: string;
  pod: string;
  command: string[];
  stdout: Buffer[];
  stderr: Buffer[];
}

/** Keeps every byte execs send back, when switched on (to prove what crosses the exec channel). */
export class ExecRecorder {
  on = false;
  records: ExecRecord[] = [];

  set(on: boolean): void {
    this.on = on;
    if (on) this.records = [];
  }

  toJson() {
    return {
      on: this.on,
      records: this.records.map((r) => ({
        namespace: r.namespace,
        pod: r.pod,
        command: r.command,
        stdout: Buffer.concat(r.stdout).toString('base64'),
        stderr: Buffer.concat(r.stderr).toString('base64'),
      })),
    };
  }
}
