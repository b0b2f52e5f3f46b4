import { describe, expect, it } from 'vitest';
import { readOpenabConfig, tokenPassing, type OpenabConfigFacts } from './openab-config';

const facts = (toml: string): OpenabConfigFacts => {
  const read = readOpenabConfig(toml);
  if (!read.ok) throw new Error(read.error);
  return read.facts;
};
const both = { DISCORD_FILE_BOT_TOKEN: false, DISCORD_BOT_TOKEN: true };

describe('readOpenabConfig', () => {
  it('reads allowed channels, [agent].env and inherit_env as the chart renders them', () => {
    const f = facts(
      '[discord]\nbot_token = "${DISCORD_BOT_TOKEN}"\nallowed_channels = ["1234567890123456789", "2234567890123456789"]\n\n[agent]\ncommand = "codex-acp"\nenv = { DISCORD_BOT_TOKEN = "${DISCORD_BOT_TOKEN}", OTHER = "x" }\ninherit_env = ["PATH_EXTRA"]\n',
    );
    expect(f).toEqual({
      allowedChannels: ['1234567890123456789', '2234567890123456789'],
      allowAllChannels: false,
      agentEnv: { DISCORD_BOT_TOKEN: '${DISCORD_BOT_TOKEN}', OTHER: 'x' },
      inheritEnv: ['PATH_EXTRA'],
    });
  });
  it('tolerates missing tables and says where TOML is broken', () => {
    expect(facts('')).toEqual({ allowedChannels: [], allowAllChannels: false, agentEnv: {}, inheritEnv: [] });
    const bad = readOpenabConfig('[discord]\nallowed_channels = ["1"\n');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatch(/not valid TOML/);
  });
});

describe('tokenPassing', () => {
  const cases: Array<{ name: string; toml: string; has: typeof both; reaches: boolean; via?: string; variable?: string; reason?: RegExp }> =
    [
      {
        name: 'env reference to a set variable',
        toml: '[agent]\nenv = { DISCORD_BOT_TOKEN = "${DISCORD_BOT_TOKEN}" }',
        has: both,
        reaches: true,
        via: 'env',
        variable: 'DISCORD_BOT_TOKEN',
      },
      {
        name: 'inherit_env of a set variable',
        toml: '[agent]\ninherit_env = ["DISCORD_BOT_TOKEN"]',
        has: both,
        reaches: true,
        via: 'inherit_env',
        variable: 'DISCORD_BOT_TOKEN',
      },
      {
        name: 'file token mapped from the bot token',
        toml: '[agent]\nenv = { DISCORD_FILE_BOT_TOKEN = "${DISCORD_BOT_TOKEN}" }',
        has: both,
        reaches: true,
        via: 'env',
        variable: 'DISCORD_FILE_BOT_TOKEN',
      },
      {
        name: 'file token preferred when both pass',
        toml: '[agent]\ninherit_env = ["DISCORD_BOT_TOKEN", "DISCORD_FILE_BOT_TOKEN"]',
        has: { DISCORD_FILE_BOT_TOKEN: true, DISCORD_BOT_TOKEN: true },
        reaches: true,
        via: 'inherit_env',
        variable: 'DISCORD_FILE_BOT_TOKEN',
      },
      {
        name: 'nothing passed although the container has it',
        toml: '[agent]\ncommand = "codex-acp"',
        has: both,
        reaches: false,
        reason: /passes neither/,
      },
      {
        name: 'inherit_env of a variable the container lacks',
        toml: '[agent]\ninherit_env = ["DISCORD_FILE_BOT_TOKEN"]',
        has: both,
        reaches: false,
        reason: /not from a variable the container has/,
      },
      {
        name: 'env reference to an unset variable',
        toml: '[agent]\nenv = { DISCORD_BOT_TOKEN = "${DISCORD_FILE_BOT_TOKEN}" }',
        has: both,
        reaches: false,
        reason: /not from a variable/,
      },
      {
        name: 'no token in the container',
        toml: '[agent]\ninherit_env = ["DISCORD_BOT_TOKEN"]',
        has: { DISCORD_FILE_BOT_TOKEN: false, DISCORD_BOT_TOKEN: false },
        reaches: false,
        reason: /neither DISCORD_FILE_BOT_TOKEN nor DISCORD_BOT_TOKEN/,
      },
      {
        name: 'a literal token in the ConfigMap reaches Codex',
        toml: '[agent]\nenv = { DISCORD_BOT_TOKEN = "abc.def" }',
        has: { DISCORD_FILE_BOT_TOKEN: false, DISCORD_BOT_TOKEN: false },
        reaches: true,
        via: 'env',
      },
    ];
  for (const c of cases) {
    it(c.name, () => {
      const result = tokenPassing(facts(c.toml), c.has);
      expect(result.reaches).toBe(c.reaches);
      if (result.reaches) {
        expect(result.via).toBe(c.via);
        if (c.variable) expect(result.variable).toBe(c.variable);
      } else {
        expect(result.reason).toMatch(c.reason!);
        expect(result.fix).toMatch(/inherit_env|Secret/);
      }
    });
  }
});
