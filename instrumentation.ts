// Run once by Next.js when a server starts, before it serves a request.
export async function register(): Promise<void> {
  // Next.js also calls this for an edge runtime, which has no V8 flags to set.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { getSettings, SettingsError } = await import('./lib/settings');
    const { tuneHeap } = await import('./lib/heap-tuning');
    let settings;
    try {
      settings = getSettings();
    } catch (err) {
      // Next logs a failed hook and serves anyway, every page then failing; a bad setting must
      // stop the server instead, with the one line that says which variable to fix.
      if (!(err instanceof SettingsError)) throw err;
      console.error(err.message);
      process.exit(1);
    }
    tuneHeap(settings.heapGrowingPercent);
    // Off unless a webhook is configured. A setting that cannot be used stops the start (Next.js
    // would only log it and serve on): the message names the setting, never its value.
    const { startNotifications } = await import('./lib/notifications/start');
    try {
      startNotifications();
    } catch (err) {
      console.error(`openab-dashboard cannot start: ${(err as Error).message}`);
      process.exit(1);
    }
    (await import('./lib/warm-up')).warmUpPages();
  }
}
