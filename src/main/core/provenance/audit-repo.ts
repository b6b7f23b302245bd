import * as fs from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import git from 'isomorphic-git';
import type { AuditCommit } from '../../../shared/channels/provenance';
import type { Logger } from '../observability/logger';
import type { JsonObject } from '../db/canonical';
import { canonicalJson } from '../db/canonical';
import type { ChainRecord } from '../db/queries/chain';
import type { StoredSignature } from '../db/queries/provenance-signatures';
import type { SourceIntegrityRecord } from '../db/queries/source-integrity-records';

export type AuditMirrorInput = {
  taskId: string;
  task: JsonObject;
  records: readonly ChainRecord[];
  signatures: readonly StoredSignature[];
  sourceIntegrity: readonly SourceIntegrityRecord[];
};

type TreeEntry = { mode: string; path: string; oid: string; type: 'blob' | 'tree' | 'commit' };

const AUTHOR = { name: 'Agent Agency', email: 'audit@agent-agency.invalid', timezoneOffset: 0 };
const PAD = 8;
/** Records per file: a chunk that is full never changes again, so a sync rewrites only the last one. */
export const RECORDS_PER_CHUNK = 256;

/**
 * A bare git repository in the data folder that mirrors each task's records as commits on the
 * branch `tasks/<task id>`: every sync adds one commit whose tree holds the task, the records as
 * JSON Lines in chunks of 256 (`events/00000001.jsonl` holds records 1-256, chained by their hashes),
 * the signatures and the source-integrity records. Written with isomorphic-git (no git binary needed); stock `git fsck` accepts it, and
 * anyone can clone it and read the history with ordinary git tools.
 */
export class AuditRepository {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: { dir: string; logger: Logger }) {}

  get dir(): string {
    return this.options.dir;
  }

  /** Adds a commit for what changed since the task's last one; returns its id, or null when nothing did. */
  mirrorTask(input: AuditMirrorInput): Promise<string | null> {
    const run = this.queue.then(() => this.mirror(input));
    // One writer at a time: refs and trees are read, then written.
    this.queue = run.catch(() => undefined);
    return run;
  }

  async listCommits(filter: { taskId?: string | undefined; limit: number }): Promise<AuditCommit[]> {
    const gitdir = this.dir;
    if (!existsSync(join(gitdir, 'HEAD'))) return [];
    const branches = (await git.listBranches({ fs, gitdir })).filter((b) =>
      filter.taskId ? b === `tasks/${filter.taskId}` : b.startsWith('tasks/'),
    );
    const commits: AuditCommit[] = [];
    for (const branch of branches) {
      const log = await git.log({ fs, gitdir, ref: `refs/heads/${branch}`, depth: filter.limit });
      for (const entry of log) {
        commits.push({
          oid: entry.oid,
          taskId: branch.slice('tasks/'.length),
          message: entry.commit.message,
          timestamp: entry.commit.committer.timestamp,
          parent: entry.commit.parent[0] ?? null,
        });
      }
    }
    // Stable: commits of one second keep their branch's order (newest first).
    commits.sort((a, b) => b.timestamp - a.timestamp);
    return commits.slice(0, filter.limit);
  }

  private async ensure(): Promise<void> {
    if (existsSync(join(this.dir, 'HEAD'))) return;
    await git.init({ fs, dir: this.dir, bare: true, defaultBranch: 'main' });
  }

  private async mirror(input: AuditMirrorInput): Promise<string | null> {
    await this.ensure();
    const gitdir = this.dir;
    const ref = `refs/heads/tasks/${input.taskId}`;
    let parent: string | undefined;
    try {
      parent = await git.resolveRef({ fs, gitdir, ref });
    } catch {
      parent = undefined;
    }
    const previous = parent ? await this.previousTrees(parent) : { root: undefined, events: [], signatures: [], taskSeq: 0 };

    const events = await this.eventChunks(previous.events, previous.taskSeq, input.records);
    const signatures = await this.extendTree(
      previous.signatures,
      input.signatures.map((s) => ({ name: `${String(s.id).padStart(PAD, '0')}.json`, value: s })),
    );
    const root: TreeEntry[] = [await this.blobEntry('task.json', input.task)];
    if (events.length) root.push({ mode: '040000', path: 'events', oid: await git.writeTree({ fs, gitdir, tree: events }), type: 'tree' });
    if (signatures.length) {
      root.push({ mode: '040000', path: 'signatures', oid: await git.writeTree({ fs, gitdir, tree: signatures }), type: 'tree' });
    }
    if (input.sourceIntegrity.length) root.push(await this.blobEntry('source-integrity.json', input.sourceIntegrity));
    const tree = await git.writeTree({ fs, gitdir, tree: root });
    if (tree === previous.root) return null;

    const last = input.records[input.records.length - 1];
    const timestamp = Math.floor((last?.ts ?? Date.now()) / 1000);
    const message = [
      `${input.taskId}: records 1-${last?.taskSeq ?? 0}`,
      '',
      `Agent-Agency-Task: ${input.taskId}`,
      `Agent-Agency-Task-Seq: ${last?.taskSeq ?? 0}`,
      ...(last ? [`Agent-Agency-Chain-Head: ${last.recordHash}`] : []),
      '',
    ].join('\n');
    const oid = await git.writeCommit({
      fs,
      gitdir,
      commit: {
        message,
        tree,
        parent: parent ? [parent] : [],
        author: { ...AUTHOR, timestamp },
        committer: { ...AUTHOR, timestamp },
      },
    });
    await git.writeRef({ fs, gitdir, ref, value: oid, force: true });
    this.options.logger.debug({ taskId: input.taskId, oid }, 'audit repository updated');
    return oid;
  }

  private async previousTrees(commitOid: string): Promise<{ root: string; events: TreeEntry[]; signatures: TreeEntry[]; taskSeq: number }> {
    const gitdir = this.dir;
    const { commit } = await git.readCommit({ fs, gitdir, oid: commitOid });
    const mirrored = /^Agent-Agency-Task-Seq: (\d+)$/m.exec(commit.message);
    const { tree } = await git.readTree({ fs, gitdir, oid: commit.tree });
    const sub = async (name: string): Promise<TreeEntry[]> => {
      const entry = tree.find((e) => e.path === name && e.type === 'tree');
      return entry ? (await git.readTree({ fs, gitdir, oid: entry.oid })).tree : [];
    };
    return {
      root: commit.tree,
      events: await sub('events'),
      signatures: await sub('signatures'),
      taskSeq: mirrored ? Number(mirrored[1]) : 0,
    };
  }

  /** Chunks before the one holding the first new record are kept as they are; the rest are written. */
  private async eventChunks(existing: TreeEntry[], mirroredSeq: number, records: readonly ChainRecord[]): Promise<TreeEntry[]> {
    const firstStale = Math.floor(mirroredSeq / RECORDS_PER_CHUNK) * RECORDS_PER_CHUNK + 1;
    const out = existing.filter((e) => Number(e.path.split('.')[0]) < firstStale);
    const chunks = new Map<number, ChainRecord[]>();
    for (const r of records) {
      if (r.taskSeq < firstStale) continue;
      const start = Math.floor((r.taskSeq - 1) / RECORDS_PER_CHUNK) * RECORDS_PER_CHUNK + 1;
      const list = chunks.get(start) ?? [];
      list.push(r);
      chunks.set(start, list);
    }
    for (const [start, list] of chunks) {
      const text = list.map((r) => canonicalJson(r)).join('\n') + '\n';
      const oid = await git.writeBlob({ fs, gitdir: this.dir, blob: new TextEncoder().encode(text) });
      out.push({ mode: '100644', path: `${String(start).padStart(PAD, '0')}.jsonl`, oid, type: 'blob' });
    }
    return out;
  }

  /** Keeps the entries already there (records are immutable) and writes blobs only for new names. */
  private async extendTree(existing: TreeEntry[], items: { name: string; value: unknown }[]): Promise<TreeEntry[]> {
    const have = new Set(existing.map((e) => e.path));
    const out = [...existing];
    for (const item of items) {
      if (have.has(item.name)) continue;
      out.push(await this.blobEntry(item.name, item.value));
    }
    return out;
  }

  private async blobEntry(path: string, value: unknown): Promise<TreeEntry> {
    const text = `${JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)}\n`;
    const oid = await git.writeBlob({ fs, gitdir: this.dir, blob: new TextEncoder().encode(text) });
    return { mode: '100644', path, oid, type: 'blob' };
  }
}
