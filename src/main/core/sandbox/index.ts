export { buildPolicy, describePolicy, DEFAULT_LIMITS, SandboxLimits, SandboxPolicy, type PolicyInput } from './policy';
export { detectSandbox, type SandboxDetection } from './detect';
export { SandboxService, type SandboxServiceOptions, type SandboxStatus, type UnsandboxedRun } from './sandbox-service';
export type { SandboxBackend, SandboxCommand, SandboxDenial, SandboxDenialKind, SandboxKind, SandboxResult, SandboxRunOptions, WrappedCommand } from './types';
export { defaultSandboxService, useSandboxService } from './default-service';
export { installAppSandbox } from './journal-bridge';
