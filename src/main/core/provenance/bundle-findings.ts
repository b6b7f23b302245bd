import type { VerificationProblem, VerificationProblemKind, VerificationReport } from '../../../shared/channels/provenance';

/** What the bundle verifier found, one finding per element and kind. */
export class Findings {
  private readonly problems: VerificationProblem[] = [];
  private readonly seen = new Set<string>();

  /** The first finding about an element wins: it is the most specific one. */
  add(kind: VerificationProblemKind, element: string, message: string): void {
    const key = `${kind}\u0000${element}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.problems.push({ kind, element, message });
  }

  report(rest: Omit<VerificationReport, 'ok' | 'problems'>): VerificationReport {
    return { ok: this.problems.length === 0, problems: this.problems, ...rest };
  }
}

/** Parses JSON that may not be JSON (a signed payload); undefined when it is not. */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
