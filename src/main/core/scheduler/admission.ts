/**
 * How model work asks for an inference slot. The thermal-aware scheduler implements it; the model
 * service calls `acquire` before every inference call and releases the slot when the call ends.
 */
export type WorkPriority = 'interactive' | 'approval' | 'council' | 'background';

export type SlotRequest = {
  priority: WorkPriority;
  /** What the slot is for, shown to the user when the request waits. */
  label: string;
  taskId?: string;
  signal?: AbortSignal;
};

export type Slot = {
  /** Releasing twice is harmless. */
  release(): void;
  /** Set when the scheduler prefers a smaller model right now (under pressure). */
  preferSmallerModel: boolean;
};

export interface InferenceAdmission {
  /** Resolves when a slot is granted; rejects with an AbortError if `signal` aborts first. */
  acquire(request: SlotRequest): Promise<Slot>;
}

/** Admits everything at once; for tests and for composition before the scheduler is wired. */
export const unlimitedAdmission: InferenceAdmission = {
  acquire: async () => ({ release: () => undefined, preferSmallerModel: false }),
};
