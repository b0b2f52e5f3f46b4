import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requirePageUser } from '@/lib/auth/guard';
import { agentPath } from '@/lib/url-params';
import { agentRefFromParams } from '@/lib/k8s/agent-ref';
import { GalleryPageContent, type SearchParams } from '@/components/images/gallery-page';

export const dynamic = 'force-dynamic';

type Params = { cluster: string; namespace: string; name: string };

export default async function AgentImagesPage({ params, searchParams }: { params: Promise<Params>; searchParams: Promise<SearchParams> }) {
  const found = await agentRefFromParams(params);
  if (!found.ok) {
    await requirePageUser('viewer', '/');
    notFound();
  }
  const ref = found.ref;
  const { namespace, name } = ref;
  const pagePath = agentPath(ref);
  const user = await requirePageUser('viewer', `${pagePath}/images`);
  return (
    <div className="space-y-4">
      <div>
        <Link href={pagePath} className="text-sm text-sky-700 hover:underline dark:text-sky-400">
          ← {namespace}/{name}
        </Link>
        <h1 className="text-2xl font-semibold tracking-tight">Images of {name}</h1>
      </div>
      <GalleryPageContent
        basePath={`${pagePath}/images`}
        agents={[{ ref, error: null }]}
        searchParams={await searchParams}
        role={user.role}
        fixedAgent={ref}
      />
    </div>
  );
}
