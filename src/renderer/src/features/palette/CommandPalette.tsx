import { Command } from 'cmdk';
import { useEffect, useMemo, useState } from 'react';
import type { Route } from '../../router';
import { buildCommands, type PaletteCommand } from './commands';
import './palette.css';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const PALETTE_SHORTCUT = isMac ? '⌘K' : 'Ctrl+K';

/** Whether a key press belongs to a text field (shortcuts then stay out of the way). */
function typing(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/**
 * The command palette (⌘K / Ctrl+K): every page and action, with its shortcut shown. The single-key
 * shortcuts work anywhere outside a text field.
 */
export function CommandPalette({ route }: { route: Route }) {
  const [open, setOpen] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const commands = useMemo(() => buildCommands(route), [route, open]); // eslint-disable-line react-hooks/exhaustive-deps

  const run = async (c: PaletteCommand) => {
    setOpen(false);
    const said = await c.run();
    setMessage(said ?? null);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.metaKey || e.ctrlKey) && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setOpen((o) => !o);
        return;
      }
      if (open || e.metaKey || e.ctrlKey || e.altKey || typing(e.target)) return;
      const key = e.key === '/' ? '/' : e.key.toUpperCase();
      const c = buildCommands(route).find((x) => x.shortcut === key);
      if (!c) return;
      e.preventDefault();
      void run(c);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, route]);

  useEffect(() => {
    if (!message) return;
    const t = setTimeout(() => setMessage(null), 6_000);
    return () => clearTimeout(t);
  }, [message]);

  const groups = ['Task', 'Go to', 'Settings'] as const;
  return (
    <>
      <button type="button" className="palette-trigger secondary" onClick={() => setOpen(true)} aria-keyshortcuts={isMac ? 'Meta+K' : 'Control+K'}>
        Commands <kbd>{PALETTE_SHORTCUT}</kbd>
      </button>
      <Command.Dialog open={open} onOpenChange={setOpen} label="Command palette" className="palette-command" contentClassName="palette" overlayClassName="palette-overlay">
        <Command.Input placeholder="Type a command or a page…" aria-label="Command" />
        <Command.List>
          <Command.Empty>No command matches.</Command.Empty>
          {groups.map((g) => (
            <Command.Group key={g} heading={g}>
              {commands
                .filter((c) => c.group === g)
                .map((c) => (
                  <Command.Item key={c.id} value={`${c.label} ${c.id}`} keywords={c.keywords ?? []} onSelect={() => void run(c)}>
                    <span>{c.label}</span>
                    {c.shortcut ? <kbd>{c.shortcut}</kbd> : null}
                  </Command.Item>
                ))}
            </Command.Group>
          ))}
        </Command.List>
      </Command.Dialog>
      {message ? (
        <p className="palette-toast" role="status">
          {message}
        </p>
      ) : null}
    </>
  );
}
