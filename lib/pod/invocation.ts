// How a pod program is sent: its argv and stdin. Values go as arguments ("$1"... in shell,
// process.argv in node) or on stdin, never into the program's text.
import { randomBytes } from 'node:crypto';
import { NODE_LOADER, NODE_PROGRAMS, SHELL_PROGRAMS } from './programs.generated';

export type ShellProgramName = keyof typeof SHELL_PROGRAMS;
export type NodeProgramName = keyof typeof NODE_PROGRAMS;
export type PodProgramName = Exclude<ShellProgramName, 'node-launch' | 'login-runner'> | NodeProgramName;

export interface InvocationOptions {
  /** Shell programs: their stdin. Node programs: their `input`, sent after the program. */
  input?: Buffer | string;
  /** Node programs: at a lower CPU priority where the image has `nice`. */
  nice?: boolean;
  /** The frames' nonce; a fresh random one by default. */
  nonce?: string;
}

export interface Invocation {
  argv: string[];
  stdin?: Buffer | string;
  nonce: string;
}

const isShell = (name: string): name is ShellProgramName => Object.hasOwn(SHELL_PROGRAMS, name);

/** What the loader reads: `<byte length> <nonce>\n<program><input>`. */
export function programOnStdin(program: string, nonce: string, input: Buffer | string = ''): Buffer {
  return Buffer.concat([
    Buffer.from(`${Buffer.byteLength(program)} ${nonce}\n${program}`, 'utf8'),
    typeof input === 'string' ? Buffer.from(input, 'utf8') : input,
  ]);
}

/**
 * The argv and stdin of a named program. A shell program gets the nonce as "$1" (its prelude
 * takes it) and its own arguments after it; a node program is started by node-launch with the
 * loader in argv and itself on stdin, since argv travels in the exec's URL.
 */
export function invocation(name: PodProgramName, args: string[], opts: InvocationOptions = {}): Invocation {
  const nonce = opts.nonce ?? randomBytes(8).toString('hex');
  const label = `openab-${name}`;
  if (isShell(name)) return { argv: ['sh', '-c', SHELL_PROGRAMS[name], label, nonce, ...args], stdin: opts.input, nonce };
  return {
    argv: ['sh', '-c', SHELL_PROGRAMS['node-launch'], label, opts.nice ? 'nice' : 'plain', NODE_LOADER, ...args],
    stdin: programOnStdin(NODE_PROGRAMS[name], nonce, opts.input),
    nonce,
  };
}

/** A node program of a test's own (`node -e` in the Codex home, argv[1] the home): planting files. */
export function nodeEvalArgv(label: string, program: string, args: string[] = []): string[] {
  return ['sh', '-c', SHELL_PROGRAMS['node-launch'], label, 'plain', program, ...args];
}
