import { describe, expect, it } from 'vitest';
import { gpuArg } from '../bench/gpu-arg';

describe('the inference benches’ --gpu option', () => {
  it('runs on the CPU unless asked, and offloads every layer on a named backend', () => {
    expect(gpuArg(['--json'])).toEqual({ gpu: false, gpuLayers: 0 });
    expect(gpuArg(['--gpu', 'off'])).toEqual({ gpu: false, gpuLayers: 0 });
    expect(gpuArg(['--gpu', 'metal'])).toEqual({ gpu: 'metal', gpuLayers: 'max' });
    expect(gpuArg(['--gpu', 'auto', '--json'])).toEqual({ gpu: 'auto', gpuLayers: 'max' });
  });

  it('refuses anything else, naming the flag and the value', () => {
    expect(() => gpuArg(['--gpu', 'mps'])).toThrow(/--gpu: expected off, auto, metal, cuda, vulkan; got "mps"/);
    expect(() => gpuArg(['--gpu'])).toThrow(/--gpu: .*got nothing/);
  });
});
