// Container logs: OpenAB-like tracing lines generated while a pod runs, kept per
// pod and container with the previous instance's log for `previous=true`.
import { randomBytes } from 'node:crypto';

export interface LogLine {
  /** Epoch ms the line was written. */
  at: number;
  text: string;
  /** Sub-millisecond digits of the runtime's timestamp (6 digits), for `timestamps=true`. */
  subMs?: string;
}

/** The CRI log timestamp kubectl shows with --timestamps (RFC3339 with nanoseconds). */
export function criTimestamp(l: LogLine): string {
  return new Date(l.at).toISOString().replace('Z', `${l.subMs ?? '000000'}Z`);
}

export class ContainerLog {
  lines: LogLine[] = [];
  previous: LogLine[] | null = null;
  private readonly followers = new Set<(l: LogLine | null) => void>();
  closed = false;

  append(text: string, at = Date.now()): void {
    const line = { at, text, subMs: String(Math.floor(Math.random() * 1e6)).padStart(6, '0') };
    this.lines.push(line);
    // Bounded, as the kubelet rotates container logs.
    if (this.lines.length > 5000) this.lines.splice(0, this.lines.length - 5000);
    for (const f of this.followers) f(line);
  }

  /** The container restarted: the current log becomes `previous`. */
  rotate(): void {
    this.previous = this.lines;
    this.lines = [];
  }

  follow(cb: (l: LogLine | null) => void): () => void {
    this.followers.add(cb);
    return () => this.followers.delete(cb);
  }

  /** The pod is gone: followers see the end of the stream. */
  close(): void {
    this.closed = true;
    for (const f of this.followers) f(null);
    this.followers.clear();
  }
}

const MODULES = ['openab::discord', 'openab::session', 'openab::acp', 'openab::relay'];

function hex(n: number): string {
  return randomBytes(n).toString('hex');
}

function tracing(at: number, level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG', module: string, message: string): string {
  const iso = new Date(at).toISOString().replace('Z', '') + String(Math.floor(Math.random() * 1000)).padStart(3, '0') + 'Z';
  return `${iso} ${level.padStart(5, ' ')} ${module}: ${message}`;
}

/** Start-up lines of an OpenAB process, as its Rust tracing output prints them. */
export function startupLines(at: number, podName: string): LogLine[] {
  const lines: LogLine[] = [];
  const push = (dt: number, level: 'INFO' | 'WARN', module: string, msg: string) =>
    lines.push({ at: at + dt, text: tracing(at + dt, level, module, msg) });
  push(0, 'INFO', 'openab', `starting openab version=0.7.3 pod=${podName}`);
  push(12, 'INFO', 'openab::config', 'loaded config path=/etc/openab/config.toml agent.command=codex-acp working_dir=/home/node');
  push(40, 'INFO', 'openab::discord', 'connecting to gateway intents=GUILD_MESSAGES|MESSAGE_CONTENT');
  push(410, 'INFO', 'openab::discord', `gateway ready session_id=${hex(16)} shard=0/1`);
  return lines;
}

/** One OpenAB activity burst: a thread session starting, codex-acp spawned, messages relayed. */
export function activityLines(at: number, kind?: 'session'): LogLine[] {
  const thread = String(1_200_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e15)));
  const channel = String(1_100_000_000_000_000_000n + BigInt(Math.floor(Math.random() * 1e6)));
  const pick = kind === 'session' ? 0 : Math.random();
  const lines: LogLine[] = [];
  const push = (dt: number, level: 'INFO' | 'WARN' | 'DEBUG', module: string, msg: string) =>
    lines.push({ at: at + dt, text: tracing(at + dt, level, module, msg) });
  if (pick < 0.35) {
    push(0, 'INFO', 'openab::session', `session started for thread ${thread} channel_id=${channel}`);
    push(25, 'INFO', 'openab::acp', `codex-acp spawned pid=${1000 + Math.floor(Math.random() * 30000)} thread_id=${thread}`);
    push(
      900,
      'INFO',
      'openab::relay',
      `message relayed thread_id=${thread} direction=to_agent bytes=${200 + Math.floor(Math.random() * 2000)}`,
    );
  } else if (pick < 0.85) {
    push(
      0,
      'INFO',
      'openab::relay',
      `message relayed thread_id=${thread} direction=to_discord bytes=${100 + Math.floor(Math.random() * 4000)}`,
    );
  } else if (pick < 0.95) {
    push(0, 'INFO', 'openab::session', `session idle, stopping codex-acp thread_id=${thread} idle_secs=900`);
  } else {
    push(0, 'WARN', MODULES[0], `rate limited by discord retry_after=${(Math.random() * 2).toFixed(3)}s`);
  }
  return lines;
}

/** What a crash-looping OpenAB prints before it exits. */
export function crashLines(at: number, podName: string): LogLine[] {
  return [
    ...startupLines(at, podName).slice(0, 2),
    {
      at: at + 60,
      text: tracing(
        at + 60,
        'ERROR',
        'openab',
        'failed to start agent: codex-acp exited with status 1: error loading config.toml: unknown variant `auto-review`, expected one of `untrusted`, `on-failure`, `on-request`, `never`',
      ),
    },
    { at: at + 61, text: 'Error: agent failed to start' },
  ];
}

/** A history of lines spread over the last `spanMs`, so a seeded pod has a past. */
export function backfill(now: number, spanMs: number, podName: string): LogLine[] {
  const start = now - spanMs;
  const lines = startupLines(start, podName);
  const bursts = Math.max(3, Math.floor(spanMs / 20_000));
  for (let i = 1; i <= bursts; i++) lines.push(...activityLines(start + Math.floor((spanMs * i) / (bursts + 1))));
  return lines.filter((l) => l.at <= now).sort((a, b) => a.at - b.at);
}
