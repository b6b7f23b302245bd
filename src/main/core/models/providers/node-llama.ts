/**
 * node-llama-cpp, loaded on first use: importing it costs about a third of a second, which every
 * command-line call and every app start paid before anything asked for a local model. Types are
 * imported as types (free); values come through here.
 */
import type * as NodeLlamaCpp from 'node-llama-cpp';

export type NodeLlama = typeof NodeLlamaCpp;

let loading: Promise<NodeLlama> | undefined;

export function nodeLlama(): Promise<NodeLlama> {
  loading ??= import('node-llama-cpp').catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}
