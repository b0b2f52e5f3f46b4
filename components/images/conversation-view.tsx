import type { ConversationEntry } from '@/lib/codex/conversation';
import type { SessionConversation } from '@/lib/images/conversation';
import { RelativeTime } from '@/components/ui/relative-time';

const time = (at: string | undefined) =>
  at ? (
    <span className="text-xs text-zinc-500">
      <RelativeTime iso={at} suffix=" ago" />
    </span>
  ) : null;

/** A session read-only: requests and replies as they came, images inline, tool calls folded. */
export function ConversationView({ data }: { data: SessionConversation }) {
  const { conversation, images } = data;
  if (conversation.entries.length === 0) return <p className="text-sm text-zinc-500">This session holds no messages.</p>;
  return (
    <ol className="space-y-3" aria-label="Conversation">
      {conversation.entries.map((entry, i) => (
        <li key={i}>
          <Entry entry={entry} image={entry.kind === 'image' ? images[entry.callId] : undefined} />
        </li>
      ))}
      {conversation.truncated && <li className="text-sm text-zinc-500">The rest of this session is not shown (too long).</li>}
    </ol>
  );
}

function Entry({ entry, image }: { entry: ConversationEntry; image?: SessionConversation['images'][string] }) {
  const box = 'rounded-lg border p-3 text-sm';
  switch (entry.kind) {
    case 'request':
      return (
        <article aria-label="Request" className={`${box} border-sky-200 bg-sky-50 dark:border-sky-900 dark:bg-sky-950`}>
          <header className="mb-1 flex flex-wrap items-baseline gap-2">
            <span className="font-medium">{entry.sender?.displayName ?? entry.sender?.senderName ?? 'Someone'}</span>
            {entry.sender?.threadId && <code className="text-xs text-zinc-500">thread {entry.sender.threadId}</code>}
            {time(entry.at)}
          </header>
          <p className="whitespace-pre-wrap break-words">{entry.text}</p>
        </article>
      );
    case 'reply':
      return (
        <article aria-label="Reply" className={`${box} border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900`}>
          <header className="mb-1 flex gap-2">
            <span className="font-medium">Codex</span>
            {time(entry.at)}
          </header>
          <p className="whitespace-pre-wrap break-words">{entry.text}</p>
        </article>
      );
    case 'image':
      return (
        <figure className={`${box} border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900`}>
          {image ? (
            // eslint-disable-next-line @next/next/no-img-element
            <img src={image.thumbUrl} alt={`Generated image ${image.file}`} width={320} height={320} className="max-w-xs rounded-md" />
          ) : (
            <p className="text-zinc-500">Image {entry.callId} (the file is not on the volume).</p>
          )}
          <figcaption className="mt-1 space-y-1">
            {time(entry.at)}
            {entry.revisedPrompt && <p className="text-zinc-600 dark:text-zinc-400">Revised prompt: {entry.revisedPrompt}</p>}
            {image && (
              <a href={`/images?image=${encodeURIComponent(image.id)}`} className="text-sky-700 hover:underline dark:text-sky-400">
                Open in the gallery
              </a>
            )}
          </figcaption>
        </figure>
      );
    case 'tool':
      return (
        <details className={`${box} border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-950`}>
          <summary className="cursor-pointer">
            Tool call <code className="text-xs">{entry.name}</code>
            {entry.exitCode !== undefined && <span className="ml-2 text-xs text-zinc-500">exit {entry.exitCode}</span>} {time(entry.at)}
          </summary>
          <pre className="mt-2 overflow-x-auto whitespace-pre-wrap break-all text-xs">{entry.command}</pre>
          {entry.withheld ? (
            <p className="mt-2 text-xs text-amber-800 dark:text-amber-300">{entry.withheld}</p>
          ) : entry.output !== undefined ? (
            <pre className="mt-2 overflow-x-auto whitespace-pre-wrap break-all border-t border-zinc-200 pt-2 text-xs dark:border-zinc-800">
              {entry.output}
            </pre>
          ) : null}
        </details>
      );
  }
}
