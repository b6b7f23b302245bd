import type { CanaryConfig, ModelRoleName, RoleAssignment } from '../../../shared/domain/model';
import type { Db } from '../db/open';
import { listRoles, upsertRole } from '../db/queries/models';
import type { Clock } from '../journal/journal';

/**
 * Which model serves each role, read once from the database and kept in memory: every inference
 * call reads it, so switching a role (a hot-swap) is one synchronous assignment that the next call
 * sees, with the database written in the same turn.
 */
export class RoleTable {
  private readonly byRole = new Map<ModelRoleName, RoleAssignment>();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    for (const r of listRoles(db)) this.byRole.set(r.role, r);
  }

  get(role: ModelRoleName): RoleAssignment | undefined {
    return this.byRole.get(role);
  }

  all(): RoleAssignment[] {
    return [...this.byRole.values()].sort((a, b) => a.role.localeCompare(b.role));
  }

  /** Sets the primary model; keeps alternates (minus the new primary) and drops a canary of it. */
  assign(role: ModelRoleName, model: string, alternates?: readonly string[]): RoleAssignment {
    const current = this.byRole.get(role);
    const next: RoleAssignment = {
      role,
      model,
      alternates: [...(alternates ?? current?.alternates ?? [])].filter((m) => m !== model),
      canary: current?.canary && current.canary.model !== model ? current.canary : null,
    };
    return this.write(next);
  }

  /**
   * Points calls for `role` at `model` in memory only, nothing saved: the switch a swap makes before
   * it knows the new model loads (when both cannot be loaded at once). `restore` undoes it; `assign`
   * saves it once the model has proved it serves.
   */
  route(role: ModelRoleName, model: string): void {
    const current = this.byRole.get(role);
    if (!current) return;
    this.byRole.set(role, { ...current, model, alternates: current.alternates.filter((m) => m !== model) });
  }

  /** Puts back an assignment as it was (in memory; the database never saw the change). */
  restore(assignment: RoleAssignment): void {
    this.byRole.set(assignment.role, assignment);
  }

  setCanary(role: ModelRoleName, canary: CanaryConfig | null): RoleAssignment | undefined {
    const current = this.byRole.get(role);
    if (!current) return undefined;
    return this.write({ ...current, canary });
  }

  /** Roles that name `model` as primary, alternate or canary. */
  rolesUsing(model: string): ModelRoleName[] {
    return this.all()
      .filter((r) => r.model === model || r.alternates.includes(model) || r.canary?.model === model)
      .map((r) => r.role);
  }

  private write(assignment: RoleAssignment): RoleAssignment {
    upsertRole(this.db, assignment, this.clock.now());
    this.byRole.set(assignment.role, assignment);
    return assignment;
  }
}
