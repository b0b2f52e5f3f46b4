import { revalidatePath } from 'next/cache';

/** After an agent changed: its page and the fleet are rendered afresh on their next view. */
export function refreshAgentViews(): void {
  revalidatePath('/agents/[cluster]/[namespace]/[name]', 'page');
  revalidatePath('/');
}
