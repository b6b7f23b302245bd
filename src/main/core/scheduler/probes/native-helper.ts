import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SensorTemperature } from '../../../../shared/domain/scheduler';

/** What native/thermal/thermal.c prints: one JSON line. Parsed, never trusted. */
export const NativeHelperOutput = z.object({
  ok: z.boolean(),
  platform: z.string().max(40),
  sensors: z.array(SensorTemperature).max(512),
  error: z.string().max(500).nullable().optional(),
});
export type NativeHelperOutput = z.infer<typeof NativeHelperOutput>;

export type NativeResult = { ok: true; sensors: SensorTemperature[] } | { ok: false; reason: string };

export const HELPER_TIMEOUT_MS = 1_500;

/**
 * Runs the helper with a timeout and parses its output. Every failure (missing binary, crash,
 * timeout, garbage, ok:false) comes back as a reason, so the caller can fall back.
 */
export function runNativeHelper(binary: string, options: { sysfsRoot?: string; timeoutMs?: number } = {}): Promise<NativeResult> {
  const args = options.sysfsRoot ? ['--root', options.sysfsRoot] : [];
  return new Promise((resolve) => {
    execFile(
      binary,
      args,
      { timeout: options.timeoutMs ?? HELPER_TIMEOUT_MS, maxBuffer: 256 * 1024, killSignal: 'SIGKILL', encoding: 'utf8' },
      (error, stdout) => {
        if (error) {
          resolve({ ok: false, reason: error.killed ? 'the helper timed out' : `the helper failed: ${error.message}` });
          return;
        }
        let json: unknown;
        try {
          json = JSON.parse(stdout);
        } catch {
          resolve({ ok: false, reason: 'the helper printed something that is not JSON' });
          return;
        }
        const parsed = NativeHelperOutput.safeParse(json);
        if (!parsed.success) resolve({ ok: false, reason: `unexpected helper output: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
        else if (!parsed.data.ok) resolve({ ok: false, reason: parsed.data.error ?? 'the helper could not read sensors' });
        else resolve({ ok: true, sensors: parsed.data.sensors });
      },
    );
  });
}

/**
 * Where the install put the helper: AGENT_AGENCY_NATIVE_HELPER, else native/build/thermal in the
 * nearest folder above this module (source tree, out/main bundle, or an app's resources).
 */
export function findNativeHelper(env: NodeJS.ProcessEnv = process.env, from = moduleDir()): string | undefined {
  const override = env['AGENT_AGENCY_NATIVE_HELPER'];
  if (override) return existsSync(override) ? override : undefined;
  const name = process.platform === 'win32' ? 'thermal.exe' : 'thermal';
  let dir = from;
  for (let i = 0; i < 8; i++) {
    // A packaged app unpacks native/build next to its archive: only the unpacked copy can run.
    const candidate = join(dir, 'native', 'build', name).replace(/app\.asar([\\/])/, 'app.asar.unpacked$1');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function moduleDir(): string {
  try {
    return dirname(fileURLToPath(import.meta.url));
  } catch {
    return process.cwd();
  }
}
