import Link from 'next/link';
import { requirePageUser } from '@/lib/auth/guard';
import { decodeSegment } from '@/lib/url-params';
import { GalleryPageContent, type SearchParams } from '@/components/images/gallery-page';

export const dynamic = 'force-dynamic';

type Params = { cluster: string; namespace: string; name: string };

export default async function AgentImagesPage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<SearchParams> }) {
  const raw = await params;
  const [clusterId, namespace, name] = [raw.cluster, raw.namespace, raw.name].map(decodeSegment);
  const agentPath = `/agents/${encodeURIComponent(clusterId)}/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
  const user = await requirePageUser('viewer', `${agentPath}/images`);
  const ref = { clusterId, namespace, name };
  return (
    <div className="space-y-4">
      <div>
        <Link href={agentPath} className="text-sm text-sky-700 hover:underline dark:text-sky-400">← {namespace}/{name}</Link>
        <h1 className="text-2xl font-semibold tracking-tight">Images of {name}</h1>
      </div>
      <GalleryPageContent basePath={`${agentPath}/images`} agents={[{ ref, error: null }]} searchParams={await searchParams} role={user.role} fixedAgent={ref} />
    </div>
  );
}
