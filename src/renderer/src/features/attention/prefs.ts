import { useSyncExternalStore } from 'react';

/** How this browser tells the user that something waits for them. Kept per browser (localStorage). */
export type AttentionPrefs = { notifications: boolean; sound: boolean };

const KEY = 'agent-agency.attention';
const DEFAULTS: AttentionPrefs = { notifications: true, sound: false };
const listeners = new Set<() => void>();
let cached: AttentionPrefs | undefined;

export function readPrefs(): AttentionPrefs {
  if (cached) return cached;
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<AttentionPrefs>;
    cached = { notifications: raw.notifications !== false, sound: raw.sound === true };
  } catch {
    cached = DEFAULTS;
  }
  return cached;
}

export function setPrefs(change: Partial<AttentionPrefs>): void {
  cached = { ...readPrefs(), ...change };
  localStorage.setItem(KEY, JSON.stringify(cached));
  for (const l of listeners) l();
}

export function useAttentionPrefs(): AttentionPrefs {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    readPrefs,
  );
}

/** A short two-tone chime, made here (no audio file to ship). */
export function chime(): void {
  try {
    const ctx = new AudioContext();
    const now = ctx.currentTime;
    for (const [i, freq] of [880, 1320].entries()) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.15);
      gain.gain.exponentialRampToValueAtTime(0.2, now + i * 0.15 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.15 + 0.14);
      osc.connect(gain).connect(ctx.destination);
      osc.start(now + i * 0.15);
      osc.stop(now + i * 0.15 + 0.15);
    }
    setTimeout(() => void ctx.close(), 600);
  } catch {
    // No audio output: the badge and the title still say it.
  }
}
