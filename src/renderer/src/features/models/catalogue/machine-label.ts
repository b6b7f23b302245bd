import type { MachineMemory } from '../../../../../shared/domain/model';

type NavigatorWithUa = Navigator & { userAgentData?: { platform?: string } };

/** The OS as this browser reports it (the page runs on the same machine as the app: loopback or Electron). */
function osName(): string {
  const nav = navigator as NavigatorWithUa;
  const raw = nav.userAgentData?.platform || nav.platform || '';
  if (/mac/i.test(raw)) return /arm|aarch/i.test(navigator.userAgent) || /Apple/i.test(navigator.vendor) ? 'macOS' : 'macOS';
  if (/win/i.test(raw)) return 'Windows';
  if (/linux/i.test(raw)) return /aarch64|arm/i.test(raw) ? 'Linux (ARM)' : /x86_64|amd64/i.test(raw) ? 'Linux x86-64' : 'Linux';
  return raw || 'this machine';
}

const gb = (b: number) => `${Math.round(b / 1024 ** 3)} GB`;

/** `Linux x86-64 · 16 GB memory · CPU only`: names the real machine, never a platform it is not. */
export function machineLabel(machine: MachineMemory): string {
  const gpu = /metal/i.test(machine.gpu) ? 'Apple Silicon GPU (Metal)' : /cuda/i.test(machine.gpu) ? 'NVIDIA GPU (CUDA)' : /vulkan/i.test(machine.gpu) ? 'GPU (Vulkan)' : 'CPU only';
  return `${osName()} · ${gb(machine.totalBytes)} memory · ${gpu}`;
}
