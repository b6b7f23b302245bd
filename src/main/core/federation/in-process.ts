import type { Coordinator } from './coordinator';
import type { FederationTransport } from './transport';

/** A member talking to a coordinator in the same process (simulations and unit tests). */
export function inProcessTransport(c: Coordinator): FederationTransport {
  return {
    join: async (m) => c.join(m),
    leave: async (m) => c.leave(m),
    roster: async () => c.roster(),
    round: async () => c.roundState(),
    submitKey: async (m) => c.submitKey(m),
    submitUpdate: async (m) => c.submitUpdate(m),
    submitReveal: async (m) => c.submitReveal(m),
  };
}
