import type { AgentAgencyApi } from '../../shared/contract';
import { Theme } from '../../shared/channels/settings';

const KEY = 'agent-agency.theme';

/**
 * Applies the theme to the page: `system` leaves it to prefers-color-scheme, `light` and `dark`
 * override it. The last choice is cached so the next load paints in it before settings arrive.
 */
export function applyTheme(theme: Theme): void {
  document.documentElement.dataset['theme'] = theme;
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Storage may be unavailable (private mode); the theme still applies to this page.
  }
}

export function startTheme(api: AgentAgencyApi): void {
  let cached: string | null;
  try {
    cached = localStorage.getItem(KEY);
  } catch {
    cached = null;
  }
  const parsed = Theme.safeParse(cached);
  if (parsed.success) applyTheme(parsed.data);
  void api.getSettings({}).then((r) => {
    if (r.ok) applyTheme(r.value.settings.theme);
  });
}
