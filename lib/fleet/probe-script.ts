// What probe (lib/pod/programs/probe.sh) answers, read from its frames, and the node program it
// runs in the pod, sent with the one function of lib/codex it needs.
import { reduceAuthJson } from '../codex/auth';
import { headWords, type Frame } from '../pod/frames';
import { NODE_PROGRAMS } from '../pod/programs.generated';

/**
 * probe-facts.js (lib/pod/programs/node), run by probe.sh with node: reduces auth.json to
 * non-secret facts inside the pod (no token byte leaves it) with `reduceAuthJson`.
 */
export const PROBE_NODE = `"use strict";\nconst reduceAuthJson = ${reduceAuthJson.toString()};\n${NODE_PROGRAMS['probe-facts']}`;

export interface ProbeSections {
  fingerprint: string;
  unchanged: boolean;
  home?: string;
  facts?: string;
  config?: string;
  featuresExit?: number;
  features?: string;
  version?: string;
  complete: boolean;
}

/** The probe's sections, from its frames (a file's content cannot forge them). */
export function splitProbeOutput(frames: Frame[]): ProbeSections {
  const out: ProbeSections = { fingerprint: '', unchanged: false, complete: false };
  for (const frame of frames) {
    const [name, arg] = headWords(frame);
    const body = frame.body.toString('utf8');
    switch (name) {
      case 'fp':
        out.fingerprint = arg ?? '';
        break;
      case 'unchanged':
        out.unchanged = true;
        out.complete = true;
        break;
      case 'home':
        out.home = body;
        break;
      case 'facts':
        out.facts = body;
        break;
      case 'config':
        out.config = body;
        break;
      case 'features':
        out.featuresExit = Number(arg);
        out.features = body;
        break;
      case 'version':
        out.version = body.trim();
        break;
      case 'end':
        out.complete = true;
        break;
    }
  }
  return out;
}
