import Link from 'next/link';
import type { AgentPanelProps } from '@/components/agents/panel-props';
import { Section } from '@/components/ui/section';
import { Thumbnail } from './thumbnail';
import { listGallery } from '@/lib/images/gallery';
import { getAgentView } from '@/lib/fleet/agent-detail';

const STRIP = 8;

/** The agent page's strip of its newest images, with the way into its gallery. */
export async function AgentImagesPanel({ clusterId, namespace, name }: AgentPanelProps) {
  const agent = await getAgentView(clusterId, namespace, name);
  const galleryPath = `/agents/${encodeURIComponent(clusterId)}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}/images`;
  const ref = { clusterId, namespace, name };
  if (!agent.pod || agent.problem) {
    return (
      <Section title="Generated images">
        <p className="text-sm text-zinc-500">
          The images can be read once the agent&apos;s pod runs{agent.problem ? `: ${agent.problem}` : '.'}
        </p>
      </Section>
    );
  }
  const result = await listGallery({ agents: [{ ref, error: null }], filters: {}, page: 1, pageSize: STRIP });
  return (
    <Section title="Generated images">
      {result.errors.length > 0 ? (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          {result.errors[0]}
        </p>
      ) : result.total === 0 ? (
        <p className="text-sm text-zinc-500" data-testid="images-strip-empty">
          No generated images.
        </p>
      ) : (
        <ul className="flex gap-2 overflow-x-auto pb-1" data-testid="images-strip">
          {result.items.map((item) => (
            <li key={item.id} className="shrink-0">
              <Link href={galleryPath} title={`${item.file} · ${item.created}`}>
                <Thumbnail src={item.thumbUrl} file={item.file} />
              </Link>
            </li>
          ))}
        </ul>
      )}
      <p className="mt-2 text-sm">
        <Link href={galleryPath} className="text-sky-700 hover:underline dark:text-sky-400" data-testid="agent-gallery-link">
          Open the gallery ({result.total} image{result.total === 1 ? '' : 's'})
        </Link>
      </p>
    </Section>
  );
}
