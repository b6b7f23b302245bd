import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bin, ensureBuiltCli, node } from '../../test/built-cli';
import { tempDir } from '../../test/helpers';
import { CalibrationService } from '../main/core/calibration/service';
import { syntheticOutcomes } from '../main/core/calibration/synthetic';
import { openDatabase } from '../main/core/db/open';
import { listRounds } from '../main/core/db/queries/federation';
import { newIdentity, signMessage } from '../main/core/federation/identity';
import { decodeFixed } from '../main/core/federation/secure-agg';
import { silentLogger } from '../main/core/observability/logger';
import { dataFiles } from '../main/core/paths';

/**
 * A federation of real processes on loopback, each installation with its own data folder: the
 * coordinator (`federation serve`), three members (`join`, `participate`), and a recording proxy in
 * front of the coordinator that sees every byte the members send.
 */

type Run = { code: number | null; stdout: string; stderr: string };
const dirs: Array<{ cleanup(): void }> = [];
const children: Array<ReturnType<typeof spawn>> = [];

function cli(dataDir: string, args: string[]): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(node, [bin, ...args, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AGENT_AGENCY_LOG_LEVEL: 'error' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

const sent: Array<{ path: string; body: string }> = [];
let proxy: Server;
let target = '';
let coordDir: string;
const members: Array<{ dir: string; key: string; verdictIds: string[] }> = [];

beforeAll(async () => {
  ensureBuiltCli();
  // The proxy records every request body members send, then forwards it to the coordinator.
  proxy = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString('utf8');
      sent.push({ path: req.url ?? '', body });
      const r = await fetch(`${target}${req.url}`, { method: req.method, headers: body ? { 'content-type': 'application/json' } : {}, body: body || undefined });
      res.writeHead(r.status, { 'content-type': 'application/json' });
      res.end(await r.text());
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  const c = tempDir('aa-fed-coord-');
  dirs.push(c);
  coordDir = c.dir;
  const serve = spawn(node, [bin, 'federation', 'serve', '--port', '0', '--json', '--min-cohort', '2', '--window', '15', '--data-dir', coordDir, '--advertise', proxyUrl], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(serve);
  target = await new Promise<string>((resolve, reject) => {
    let out = '';
    serve.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        resolve(String((JSON.parse(out) as { url: string }).url));
      } catch {
        /* not all of it yet */
      }
    });
    serve.on('exit', (code) => reject(new Error(`federation serve exited ${code}`)));
  });

  for (let i = 0; i < 3; i++) {
    const d = tempDir(`aa-fed-m${i}-`);
    dirs.push(d);
    // Each installation has its own outcomes, in its own real database.
    const db = openDatabase({ file: dataFiles(d.dir).database, logger: silentLogger() });
    const cal = new CalibrationService({ db, clock: { now: () => Date.now() } });
    const outcomes = syntheticOutcomes({ count: 60, reliability: { constitutional: 0.6, technical: 0.9, quality: 0.85, integration: 0.6 }, seed: 40 + i });
    for (const o of outcomes) cal.recordOutcome(o);
    db.close();
    const inv = await cli(coordDir, ['federation', 'invite', `member-${i}`, '--json']);
    expect(inv.code, inv.stderr).toBe(0);
    const joined = await cli(d.dir, ['federation', 'join', (JSON.parse(inv.stdout) as { invitation: string }).invitation, '--json']);
    expect(joined.code, joined.stderr).toBe(0);
    const status = await cli(d.dir, ['federation', 'status', '--json']);
    members.push({ dir: d.dir, key: (JSON.parse(status.stdout) as { memberKey: string }).memberKey, verdictIds: outcomes.map((o) => o.verdictId) });
  }
}, 180_000);

afterAll(async () => {
  for (const ch of children) ch.kill('SIGTERM');
  await new Promise<void>((r) => proxy?.close(() => r()));
  for (const d of dirs) d.cleanup();
});

describe('federation across processes', () => {
  it('a round with one member dropping out mid-round: the others complete it and decide on adoption', async () => {
    const mark = sent.length;
    const running = Promise.all([
      cli(members[0]!.dir, ['federation', 'participate', '--timeout', '120', '--json']),
      cli(members[1]!.dir, ['federation', 'participate', '--timeout', '120', '--json']),
      cli(members[2]!.dir, ['federation', 'participate', '--timeout', '120', '--json', '--stop-after', 'keys']),
    ]);
    // Open the round once all three are up and polling (each reads the roster first), however
    // slowly their processes start on a busy machine.
    while (sent.slice(mark).filter((s) => s.path.endsWith('/roster')).length < 3) await new Promise((r) => setTimeout(r, 100));
    expect((await cli(coordDir, ['federation', 'round'])).code).toBe(0);
    const [a, b, dropper] = await running;
    for (const r of [a, b]) {
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout), r.stdout).toMatchObject({ status: 'contributed', outcome: expect.stringMatching(/adopted|refused/) });
    }
    expect(JSON.parse(dropper.stdout)).toMatchObject({ status: 'skipped' });
    const db = openDatabase({ file: dataFiles(coordDir).database, logger: silentLogger() });
    const round = listRounds(db, 1)[0]!;
    db.close();
    expect(round).toMatchObject({ outcome: 'done', participants: 2, dropped: 1 });
    // What the coordinator kept of each member: masked values, nowhere near a clipped, noised update.
    for (const masked of Object.values(round.detail['masked'] as Record<string, number[]>)) {
      expect(Math.max(...decodeFixed(masked).map(Math.abs))).toBeGreaterThan(100);
    }
  }, 240_000);

  it('nothing but protocol messages ever left a member: no task, verdict, vote or outcome', () => {
    const kinds = new Set<string>();
    const allowedPayloadKeys: Record<string, string[]> = {
      join: ['invitationId', 'name'],
      'round-key': ['roundId', 'x25519'],
      update: ['roundId', 'masked', 'sigma', 'clip', 'sources'],
      reveal: ['roundId', 'seeds'],
      leave: ['federationId'],
    };
    const secrets = members.flatMap((m) => m.verdictIds.flatMap((id) => [id, id.replace(/^v/, 't')]));
    const posted = sent.filter((s) => s.body);
    expect(posted.length).toBeGreaterThan(6);
    for (const { body } of posted) {
      const msg = JSON.parse(body) as { kind: string; payload: Record<string, unknown>; signer: string; sig: string };
      expect(Object.keys(msg).sort()).toEqual(['kind', 'payload', 'sig', 'signer']);
      kinds.add(msg.kind);
      expect(Object.keys(msg.payload).every((k) => allowedPayloadKeys[msg.kind]?.includes(k))).toBe(true);
      for (const secret of secrets) expect(body).not.toContain(secret);
      expect(body).not.toMatch(/"(pass|fail|uncertain|good|votes|confidence)"/);
    }
    expect([...kinds].sort()).toEqual(['join', 'reveal', 'round-key', 'update']);
  });

  it('refuses a forged signature and a revoked member', async () => {
    const forged = { ...signMessage(newIdentity(), 'round-key', { roundId: 'x', x25519: newIdentity().publicKey }), signer: members[0]!.key };
    const r = await fetch(`${target}/federation/v1/round/key`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(forged) });
    expect(r.status).toBe(401);
    expect(((await r.json()) as { error: string }).error).toMatch(/signature does not verify/);

    expect((await cli(coordDir, ['federation', 'revoke', members[1]!.key])).code).toBe(0);
    expect((await cli(coordDir, ['federation', 'round'])).code).toBe(0);
    const revoked = await cli(members[1]!.dir, ['federation', 'participate', '--timeout', '20']);
    expect(revoked.code).not.toBe(0);
    expect(revoked.stderr).toMatch(/roster lists this installation as revoked/);
  }, 60_000);
});
