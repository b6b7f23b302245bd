import type { GrantScope, ToolPermission } from '../../../shared/channels/tools';
import type { Actor } from '../../../shared/domain/events';
import type { Db } from '../db/open';
import type { Clock } from '../journal/journal';
import { insertGrant, liveGrant, permissions, SERVER_DEFAULT } from '../db/queries/tools';

/** What a human is asked about: one call of one tool with these arguments. */
export type ApprovalRequest = {
  taskId: string;
  /** `server.tool`. */
  tool: string;
  args: Record<string, unknown>;
  /** Same tool and arguments, same fingerprint: how a repeated request finds its answer. */
  fingerprint: string;
  /** One line for the person deciding. */
  summary: string;
};

export type ApprovalDecision = { granted: boolean; actor: Actor; scope: GrantScope; reason?: string };

/**
 * Asks a human (strict mode's approval flow) and resolves with the answer. It may also throw
 * `ToolApprovalPending` when the answer comes later (the engine's steps stop and run again).
 */
export type RequestApproval = (request: ApprovalRequest) => Promise<ApprovalDecision>;

export type AllowedBy = {
  kind: 'policy' | 'grant' | 'approval';
  actor: Actor;
  scope?: GrantScope;
  grantId?: number;
};

export type Authorization =
  | { allowed: true; allowedBy: AllowedBy }
  | { allowed: false; rule: 'permission' | 'approval_denied'; reason: string; actor?: Actor };

export type EffectivePermission = { permission: ToolPermission; source: 'tool' | 'server' | 'default' };

/** A tool nobody configured asks first: calling something unreviewed is the user's decision. */
export const DEFAULT_PERMISSION: ToolPermission = 'ask';

const SYSTEM: Actor = { who: 'tool policy', via: 'system' };

export type ToolPolicyOptions = {
  db: Db;
  clock: Clock;
  /** Used when a call brings no `requestApproval` of its own; without either, `ask` means no. */
  requestApproval?: RequestApproval;
};

/**
 * Decides whether one tool call may run: the tool's permission (its own, else its server's, else
 * `ask`); for `ask`, a live grant for this task or for always, else a human through
 * `requestApproval`. An approval "for this task" or "always" is stored as a revocable grant.
 */
export class ToolPolicy {
  constructor(private readonly options: ToolPolicyOptions) {}

  permissionOf(server: string, tool: string): EffectivePermission {
    const forServer = permissions(this.options.db).get(server);
    const own = forServer?.get(tool);
    if (own) return { permission: own, source: 'tool' };
    const serverDefault = forServer?.get(SERVER_DEFAULT);
    if (serverDefault) return { permission: serverDefault, source: 'server' };
    return { permission: DEFAULT_PERMISSION, source: 'default' };
  }

  async authorize(call: { taskId: string; server: string; tool: string; request: ApprovalRequest }, requestApproval?: RequestApproval): Promise<Authorization> {
    const { permission, source } = this.permissionOf(call.server, call.tool);
    if (permission === 'never') {
      return { allowed: false, rule: 'permission', reason: `${call.request.tool} is set to never (${source === 'tool' ? 'its own setting' : 'its server’s setting'})` };
    }
    if (permission === 'always') return { allowed: true, allowedBy: { kind: 'policy', actor: SYSTEM } };

    const grant = liveGrant(this.options.db, call.request.tool, call.taskId);
    if (grant) return { allowed: true, allowedBy: { kind: 'grant', actor: grant.actor, scope: grant.scope, grantId: grant.id } };

    const ask = requestApproval ?? this.options.requestApproval;
    if (!ask) return { allowed: false, rule: 'permission', reason: `${call.request.tool} needs approval and nobody can be asked here` };
    const decision = await ask(call.request);
    if (!decision.granted) {
      return {
        allowed: false,
        rule: 'approval_denied',
        reason: `${decision.actor.who} denied ${call.request.tool}${decision.reason ? `: ${decision.reason}` : ''}`,
        actor: decision.actor,
      };
    }
    if (decision.scope === 'once') return { allowed: true, allowedBy: { kind: 'approval', actor: decision.actor, scope: 'once' } };
    const stored = insertGrant(this.options.db, {
      tool: call.request.tool,
      scope: decision.scope,
      taskId: call.taskId,
      actor: decision.actor,
      at: this.options.clock.now(),
    });
    return { allowed: true, allowedBy: { kind: 'approval', actor: decision.actor, scope: decision.scope, grantId: stored.id } };
  }
}
