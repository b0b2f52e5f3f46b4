// What the image pages hand to their client components (serialisable; no lib/k8s).
import type { GalleryItem } from '@/lib/images/gallery';
import type { ResendResult } from '@/lib/deliveries/resend';
import type { BulkResendOutcome } from '@/lib/deliveries/bulk-resend';

export type { BulkResendOutcome, GalleryItem, ResendResult };

export interface ResendPermission {
  allowed: boolean;
  /** Why not, in plain words, when not allowed. */
  reason: string | null;
}
