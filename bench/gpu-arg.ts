/**
 * The `--gpu` option of the inference benches: `off` (the default, so figures here are the CPU's and
 * reproducible), or `auto`, `metal`, `cuda`, `vulkan` to run on that backend with every layer and the
 * output layer offloaded, as the app loads a model on a GPU. Anything else is refused, naming the flag.
 */
export type BenchGpu = { gpu: 'auto' | 'metal' | 'cuda' | 'vulkan' | false; gpuLayers: 'max' | 0 };

const BACKENDS = ['auto', 'metal', 'cuda', 'vulkan'] as const;

export function gpuArg(args: readonly string[]): BenchGpu {
  const i = args.indexOf('--gpu');
  const value = i >= 0 ? args[i + 1] : 'off';
  if (value === 'off') return { gpu: false, gpuLayers: 0 };
  const backend = BACKENDS.find((b) => b === value);
  if (!backend) throw new Error(`--gpu: expected off, ${BACKENDS.join(', ')}; got ${value === undefined ? 'nothing' : JSON.stringify(value)}`);
  return { gpu: backend, gpuLayers: 'max' };
}
