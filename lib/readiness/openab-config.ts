// What readiness needs from OpenAB's own config.toml (the chart's ConfigMap, mounted at
// /etc/openab): the channels the agent listens in, and whether the upload token reaches Codex.
// OpenAB clears the environment before starting the agent: only HOME, PATH, USER and what
// `[agent].env` / `inherit_env` name get through. Pure: tested from strings.
import { parse } from 'smol-toml';

export const TOKEN_VARS = ['DISCORD_FILE_BOT_TOKEN', 'DISCORD_BOT_TOKEN'] as const;
export type TokenVar = (typeof TOKEN_VARS)[number];

export interface OpenabConfigFacts {
  allowedChannels: string[];
  allowAllChannels: boolean;
  /** `[agent].env`: name -> value as written (a `${VAR}` reference, or a literal). */
  agentEnv: Record<string, string>;
  inheritEnv: string[];
}

export type OpenabConfigRead = { ok: true; facts: OpenabConfigFacts } | { ok: false; error: string };

const isTable = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date);

export function readOpenabConfig(text: string): OpenabConfigRead {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    const line = /line (\d+)/i.exec(String((err as Error).message))?.[1];
    return { ok: false, error: `OpenAB's config.toml is not valid TOML${line ? ` (line ${line})` : ''}` };
  }
  const discord = isTable(doc.discord) ? doc.discord : {};
  const agent = isTable(doc.agent) ? doc.agent : {};
  const strings = (v: unknown): string[] =>
    Array.isArray(v) ? v.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number').map(String) : [];
  const agentEnv: Record<string, string> = {};
  if (isTable(agent.env)) for (const [k, v] of Object.entries(agent.env)) if (typeof v === 'string') agentEnv[k] = v;
  return {
    ok: true,
    facts: {
      allowedChannels: strings(discord.allowed_channels),
      allowAllChannels: discord.allow_all_channels === true,
      agentEnv,
      inheritEnv: strings(agent.inherit_env),
    },
  };
}

export type TokenPassing =
  { reaches: true; variable: TokenVar; via: 'env' | 'inherit_env'; detail: string } | { reaches: false; reason: string; fix: string };

/** `${NAME}` or `$NAME`: the container variable an `[agent].env` value takes its value from. */
function referencedVar(value: string): string | null {
  const m = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$|^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(value.trim());
  return m ? (m[1] ?? m[2]) : null;
}

/**
 * Does Codex get an upload token? The variable the script reads (DISCORD_FILE_BOT_TOKEN first)
 * must be passed by OpenAB, from a container variable that is set.
 */
export function tokenPassing(facts: OpenabConfigFacts, containerHas: Record<TokenVar, boolean>): TokenPassing {
  for (const variable of TOKEN_VARS) {
    if (variable in facts.agentEnv) {
      const value = facts.agentEnv[variable];
      const ref = referencedVar(value);
      if (ref === null && value.trim() !== '')
        return {
          reaches: true,
          variable,
          via: 'env',
          detail: `[agent].env sets ${variable} (a literal value in the ConfigMap: better a \${${variable}} reference to a Secret)`,
        };
      if (ref && (containerHas as Record<string, boolean>)[ref])
        return { reaches: true, variable, via: 'env', detail: `[agent].env passes ${variable} = \${${ref}}` };
    }
    if (facts.inheritEnv.includes(variable) && containerHas[variable]) {
      return { reaches: true, variable, via: 'inherit_env', detail: `inherit_env passes ${variable}` };
    }
  }
  const present = TOKEN_VARS.filter((v) => containerHas[v]);
  if (present.length === 0) {
    return {
      reaches: false,
      reason: 'The container has neither DISCORD_FILE_BOT_TOKEN nor DISCORD_BOT_TOKEN set.',
      fix: "Set the bot token in the agent's chart values (the Secret behind DISCORD_BOT_TOKEN), then let OpenAB pass it (see below).",
    };
  }
  const named = [
    ...Object.keys(facts.agentEnv).filter((k) => (TOKEN_VARS as readonly string[]).includes(k)),
    ...facts.inheritEnv.filter((k) => (TOKEN_VARS as readonly string[]).includes(k)),
  ];
  const v = present[0];
  return {
    reaches: false,
    reason: named.length
      ? `OpenAB's config names ${[...new Set(named)].join(', ')}, but not from a variable the container has (it has ${present.join(', ')}).`
      : `The container has ${present.join(', ')}, but OpenAB's config.toml passes neither through [agent].env nor inherit_env, and OpenAB clears the environment before starting Codex.`,
    fix: `Add to the [agent] table of OpenAB's config.toml (the chart's ConfigMap): inherit_env = ["${v}"] or env = { ${v} = "\${${v}}" }, then restart the agent.`,
  };
}
