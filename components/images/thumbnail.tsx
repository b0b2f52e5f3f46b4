/** A generated image's thumbnail in a list (the agent page's strip, the deliveries), loaded as it scrolls into view. */
export function Thumbnail({ src, file }: { src: string; file: string }) {
  return (
    // eslint-disable-next-line @next/next/no-img-element
    <img
      src={src}
      alt={`Generated image ${file}`}
      width={96}
      height={96}
      loading="lazy"
      className="h-24 w-24 rounded-md border border-zinc-200 object-cover dark:border-zinc-800"
    />
  );
}
