/**
 * What the browser receives about an agent's device login (types only, so
 * client components may import it). Holds the one-time code and link: only
 * ever sent to operators and up.
 */
import type { LoginSnapshot } from './login-state';
import type { RolloutStatus } from '../k8s/rollout';

export interface AgentLoginSummary {
  kind: string;
  /** What the page shows: "ChatGPT a@b (plus)", "API key sk-…", "Not logged in". */
  label: string;
  email: string | null;
}

export interface LoginView {
  /** The pod a login runs in now; null when none can. */
  pod: { name: string; uid: string } | null;
  /** Why no login can run (no running pod, ...), in plain words. */
  problem: string | null;
  login: LoginSnapshot;
  /** The agent's login as the probe reads it, when asked for (after a success). */
  agentLogin: AgentLoginSummary | null;
  /** The Deployment's rollout, when asked for (the restart after a login). */
  rollout: RolloutStatus | null;
}

export const LOGIN_ID_PATTERN = /^[a-f0-9]{8,64}$/;
