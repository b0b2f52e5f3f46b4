import { requirePageUser } from '@/lib/auth/guard';
import { galleryAgents } from '@/lib/images/gallery';
import { GalleryPageContent, type SearchParams } from '@/components/images/gallery-page';

export const dynamic = 'force-dynamic';

export default async function ImagesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const user = await requirePageUser('viewer', '/images');
  const agents = await galleryAgents();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold tracking-tight">Generated images</h1>
      <GalleryPageContent basePath="/images" agents={agents} searchParams={await searchParams} role={user.role} />
    </div>
  );
}
