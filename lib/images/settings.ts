import 'server-only';
import { getSettings, resetSettings, type ImageSettings } from '../settings';

export type { ImageSettings };

/** The gallery's part of the settings (lib/settings.ts reads and checks them). */
export function imageSettings(): ImageSettings {
  return getSettings().images;
}

/** Forget the settings read so far (tests change IMAGE_* between cases). */
export function resetImageSettings(): void {
  resetSettings();
}
