import { randomBytes, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Coordinator } from '../../core/federation/coordinator';
import { FederationError } from '../../core/federation/identity';
import { FEDERATION_PREFIX } from '../../core/federation/transport';
import { listRoster, listRounds } from '../../core/db/queries/federation';
import type { Db } from '../../core/db/open';

export type CoordinatorHttpOptions = { coordinator: Coordinator; db: Db; adminToken: string; host: string; port: number; tickMs?: number };

/**
 * The coordinator's HTTP face: members' protocol routes (every body a signed message the
 * coordinator verifies) and admin routes behind a bearer token (invite, revoke, open a round).
 */
export async function startCoordinatorHttp(o: CoordinatorHttpOptions): Promise<{ app: FastifyInstance; url: string; close(): Promise<void> }> {
  const app = Fastify({ bodyLimit: 256 * 1024 });
  const c = o.coordinator;
  const handle = (work: (req: FastifyRequest) => unknown) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      return reply.send(await work(req));
    } catch (e) {
      if (e instanceof FederationError) return reply.code(e.status).send({ error: e.message });
      return reply.code(400).send({ error: (e as Error).message });
    }
  };
  const admin = (work: (req: FastifyRequest) => unknown) => async (req: FastifyRequest, reply: FastifyReply) => {
    const given = Buffer.from(String(req.headers.authorization ?? '').replace(/^Bearer /, ''));
    const want = Buffer.from(o.adminToken);
    if (given.length !== want.length || !timingSafeEqual(given, want)) return reply.code(401).send({ error: 'authorization: the admin token is missing or wrong' });
    return handle(work)(req, reply);
  };
  const p = FEDERATION_PREFIX;
  app.post(`${p}/join`, handle((r) => c.join(r.body)));
  app.post(`${p}/leave`, handle((r) => c.leave(r.body)));
  app.get(`${p}/roster`, handle(() => c.roster()));
  app.get(`${p}/round`, handle(() => ({ round: c.roundState() })));
  app.post(`${p}/round/key`, handle((r) => (c.submitKey(r.body), { ok: true })));
  app.post(`${p}/round/update`, handle((r) => (c.submitUpdate(r.body), { ok: true })));
  app.post(`${p}/round/reveal`, handle((r) => (c.submitReveal(r.body), { ok: true })));
  const InviteBody = z.strictObject({ name: z.string().trim().min(1, 'must not be empty').max(100), validMs: z.number().int().positive().optional() });
  app.post(`${p}/admin/invite`, admin((r) => {
    const body = InviteBody.safeParse(r.body);
    if (!body.success) throw new FederationError(400, `${body.error.issues[0]?.path.join('.') ?? 'body'}: ${body.error.issues[0]?.message ?? 'invalid'}`);
    return { invitation: c.invite(body.data.name, body.data.validMs) };
  }));
  app.post(`${p}/admin/revoke`, admin((r) => {
    const body = z.strictObject({ member: z.string().min(1) }).safeParse(r.body);
    if (!body.success) throw new FederationError(400, 'member: is required');
    c.revoke(body.data.member);
    return { ok: true };
  }));
  app.post(`${p}/admin/round`, admin(() => ({ roundId: c.openRound() })));
  app.get(`${p}/admin/status`, admin(() => ({ policy: c.policy, publicKey: c.publicKey, roster: listRoster(o.db), rounds: listRounds(o.db, 20).map(({ detail, ...r }) => ({ ...r, failure: detail['failure'] ?? null })) })));
  const timer = setInterval(() => c.tick(), o.tickMs ?? 200);
  timer.unref();
  await app.listen({ host: o.host, port: o.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return {
    app,
    url: `http://${o.host}:${port}`,
    close: async () => {
      clearInterval(timer);
      await app.close();
    },
  };
}

export function newAdminToken(): string {
  return randomBytes(24).toString('base64url');
}
