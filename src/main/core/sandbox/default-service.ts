import { createLogger } from '../observability/logger';
import type { Logger } from '../observability/logger';
import { detectSandbox } from './detect';
import { SandboxService } from './sandbox-service';

let shared: Promise<SandboxService> | undefined;
let configured: SandboxService | undefined;

/**
 * The sandbox a command runner uses when nobody handed it one: this machine's real sandbox,
 * detected once per process, with no "run without a sandbox" override. So a caller that forgets
 * to pass the service still fails closed rather than running a command bare. Composition roots
 * call `useSandboxService` with the configured service (user override, journaling) at start.
 */
export function defaultSandboxService(logger?: Logger): Promise<SandboxService> {
  if (configured) return Promise.resolve(configured);
  shared ??= detectSandbox().then((detection) => new SandboxService({ logger: logger ?? createLogger({ level: 'warn' }), detection }));
  return shared;
}

/** Makes `service` the one every runner without an explicit service uses (composition roots only). */
export function useSandboxService(service: SandboxService | undefined): void {
  configured = service;
}
