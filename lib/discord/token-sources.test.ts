import { describe, expect, it } from 'vitest';
import { uploadTokenSources } from './token-sources';

const ref = (name: string, key: string) => ({ secretKeyRef: { name, key } });

describe('uploadTokenSources', () => {
  it('prefers the file bot\u2019s token, then the bot token', () => {
    expect(
      uploadTokenSources(
        [
          { name: 'DISCORD_BOT_TOKEN', valueFrom: ref('openab-codex', 'discord-bot-token') },
          { name: 'DISCORD_FILE_BOT_TOKEN', valueFrom: ref('file-bot', 'token') },
        ],
        'openab-codex',
      ),
    ).toEqual([
      { variable: 'DISCORD_FILE_BOT_TOKEN', secret: 'file-bot', key: 'token' },
      { variable: 'DISCORD_BOT_TOKEN', secret: 'openab-codex', key: 'discord-bot-token' },
    ]);
  });
  it('takes a literal value, and falls back to the chart\u2019s Secret', () => {
    expect(uploadTokenSources([{ name: 'DISCORD_FILE_BOT_TOKEN', value: 'x' }], 'openab-codex')).toEqual([
      { variable: 'DISCORD_FILE_BOT_TOKEN', value: 'x' },
      { variable: 'DISCORD_BOT_TOKEN', secret: 'openab-codex', key: 'discord-bot-token' },
    ]);
    expect(uploadTokenSources([], 'a')).toEqual([{ variable: 'DISCORD_BOT_TOKEN', secret: 'a', key: 'discord-bot-token' }]);
  });
});
