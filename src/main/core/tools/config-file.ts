import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { ToolServerConfig, ToolServerName } from '../../../shared/channels/tools';
import { describeZodError } from '../../../shared/errors';

/**
 * The `{ "mcpServers": { name: {...} } }` file other MCP clients use, so a user can bring the
 * configuration they already have. Entries are read one by one: a bad entry is reported and
 * skipped, the others still load. Keys this app does not use (autoApprove, timeout…) are ignored.
 */

const Entry = z.looseObject({
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  cwd: z.string().optional(),
  url: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  type: z.string().optional(),
  transport: z.string().optional(),
  disabled: z.boolean().optional(),
  enabled: z.boolean().optional(),
});

const FileShape = z.looseObject({ mcpServers: z.record(z.string(), z.unknown()) });

export type ConfigProblem = { name: string; message: string };
export type ParsedServers = { servers: ToolServerConfig[]; problems: ConfigProblem[] };

export function parseMcpServersJson(text: string): ParsedServers {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { servers: [], problems: [{ name: '', message: `not JSON: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  const file = FileShape.safeParse(raw);
  if (!file.success) return { servers: [], problems: [{ name: '', message: 'expected an object with "mcpServers": { name: { command | url, … } }' }] };
  const servers: ToolServerConfig[] = [];
  const problems: ConfigProblem[] = [];
  for (const [name, value] of Object.entries(file.data.mcpServers)) {
    const result = toConfig(name, value);
    if ('problem' in result) problems.push({ name, message: result.problem });
    else servers.push(result.config);
  }
  return { servers, problems };
}

function toConfig(name: string, value: unknown): { config: ToolServerConfig } | { problem: string } {
  if (!ToolServerName.safeParse(name).success) {
    return { problem: 'the name must be 1-63 letters, digits, - or _ (no dots: tools are named server.tool)' };
  }
  const entry = Entry.safeParse(value);
  if (!entry.success) return { problem: describeZodError(entry.error).message };
  const e = entry.data;
  const kind = (e.type ?? e.transport ?? (e.url ? 'http' : 'stdio')).toLowerCase();
  const enabled = e.enabled ?? !(e.disabled ?? false);
  let candidate: unknown;
  if (kind === 'stdio') {
    candidate = { name, enabled, transport: { kind: 'stdio', command: e.command, args: e.args ?? [], env: e.env ?? {}, ...(e.cwd ? { cwd: e.cwd } : {}) } };
  } else if (kind === 'http' || kind === 'streamable-http' || kind === 'streamablehttp') {
    candidate = { name, enabled, transport: { kind: 'http', url: e.url, headers: e.headers ?? {} } };
  } else {
    return { problem: `transport "${kind}" is not supported; use stdio (command) or streamable HTTP (url)` };
  }
  const parsed = ToolServerConfig.safeParse(candidate);
  return parsed.success ? { config: parsed.data } : { problem: describeZodError(parsed.error).message };
}

/** Reads the file again only when it changed; a missing file is no servers, not an error. */
export class McpServersFile {
  private cache: { mtimeMs: number; size: number; parsed: ParsedServers } | undefined;

  constructor(readonly path: string | undefined) {}

  read(): ParsedServers {
    if (!this.path) return { servers: [], problems: [] };
    let stat;
    try {
      stat = statSync(this.path);
    } catch {
      this.cache = undefined;
      return { servers: [], problems: [] };
    }
    if (this.cache && this.cache.mtimeMs === stat.mtimeMs && this.cache.size === stat.size) return this.cache.parsed;
    let parsed: ParsedServers;
    try {
      parsed = parseMcpServersJson(readFileSync(this.path, 'utf8'));
    } catch (e) {
      parsed = { servers: [], problems: [{ name: '', message: `cannot read ${this.path}: ${e instanceof Error ? e.message : String(e)}` }] };
    }
    this.cache = { mtimeMs: stat.mtimeMs, size: stat.size, parsed };
    return parsed;
  }
}
