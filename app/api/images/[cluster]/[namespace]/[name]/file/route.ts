import { defineRoute } from '@/lib/auth/guard';
import { serveImage } from '@/lib/images/serve';
import { agentRefFromParams } from '@/lib/k8s/agent-ref';

export const dynamic = 'force-dynamic';

export const GET = defineRoute({ name: 'images.file', role: 'viewer' }, async (request, context) => {
  const agent = await agentRefFromParams(context.params);
  if (!agent.ok) return Response.json({ error: agent.error }, { status: 400, headers: { 'Cache-Control': 'private, no-store' } });
  return serveImage(agent.ref, 'file', new URL(request.url));
});
