import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The bearer token of the local API, the headless host's WebSocket and its MCP and OpenAI
 * endpoints. Fresh on every launch; rotating it locks out every client that holds the old one
 * (connections already open stay open, as they were authorised when they opened).
 */
export class ApiToken {
  private value: string;
  private readonly listeners = new Set<(token: string) => void>();

  constructor(initial: string = ApiToken.generate()) {
    this.value = initial;
  }

  static generate(): string {
    return randomBytes(32).toString('base64url');
  }

  current(): string {
    return this.value;
  }

  /** Constant-time comparison with the current token. */
  matches(given: string | undefined | null): boolean {
    if (!given) return false;
    const a = Buffer.from(this.value);
    const b = Buffer.from(given);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** Replaces the token (with `next`, when a launch fixes one) and tells the listeners. */
  rotate(next: string = ApiToken.generate()): string {
    this.value = next;
    for (const listener of this.listeners) listener(next);
    return next;
  }

  onRotate(listener: (token: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
