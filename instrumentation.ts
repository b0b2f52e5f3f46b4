// Run once by Next.js when a server starts, before it serves a request.
export async function register(): Promise<void> {
  // Next.js also calls this for an edge runtime, which has no V8 flags to set.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    // The settings are read and checked here, so a bad value stops the server before it serves.
    const { getSettings } = await import('./lib/settings');
    const { tuneHeap } = await import('./lib/heap-tuning');
    tuneHeap(getSettings().heapGrowingPercent);
  }
}
