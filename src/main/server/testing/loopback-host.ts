import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHeadlessHost, type HeadlessHost, type HeadlessHostOptions } from '../host';

export type LoopbackHost = HeadlessHost & {
  /** Ends open connections (fetch keeps a spare socket after an aborted stream), closes the host, removes the page folder. */
  stop(): Promise<void>;
};

/**
 * The real headless host on 127.0.0.1 with a free port, serving a one-line page in place of the
 * built renderer, for tests that speak REST, SSE, MCP or the OpenAI API to a core.
 */
export async function loopbackHost(options: Omit<HeadlessHostOptions, 'rendererDir'> & { rendererDir?: string }): Promise<LoopbackHost> {
  const page = options.rendererDir ? null : mkdtempSync(join(tmpdir(), 'aa-renderer-'));
  if (page) writeFileSync(join(page, 'index.html'), '<!doctype html><title>Agent Agency</title>');
  const host = await startHeadlessHost({ port: 0, ...options, rendererDir: options.rendererDir ?? page! });
  return {
    ...host,
    async stop() {
      host.app.server.closeAllConnections();
      await host.close();
      if (page) rmSync(page, { recursive: true, force: true });
    },
  };
}
