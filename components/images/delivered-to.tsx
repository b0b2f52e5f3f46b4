import type { ResendResult } from './types';

/** Where an image was delivered: the channel, and a link to the message (or its id when Discord gave no link). */
export function DeliveredTo({ result }: { result: ResendResult }) {
  return (
    <>
      {result.alreadyDelivered ? 'Already delivered' : 'Delivered'} to {result.channelId}
      {result.link ? (
        <>
          {' '}
          —{' '}
          <a href={result.link} target="_blank" rel="noreferrer" className="underline">
            open the message
          </a>
        </>
      ) : (
        <>
          {' '}
          — message id <code>{result.messageId}</code>
        </>
      )}
    </>
  );
}
