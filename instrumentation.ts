// Run once by Next.js when a server starts, before it serves a request.
export async function register(): Promise<void> {
  // Next.js also calls this for an edge runtime, which has no V8 flags to set.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { tuneHeap } = await import('./lib/heap-tuning');
    tuneHeap();
    // Off unless a webhook is configured; a bad setting stops the start with its name.
    const { startNotifications } = await import('./lib/notifications/start');
    startNotifications();
  }
}
