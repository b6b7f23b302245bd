/** A registry name from what a server or a file calls a model (`qwen2.5-coder:7b` stays, spaces and slashes go). */
export function toModelName(raw: string): string {
  const name = raw.replace(/[^A-Za-z0-9._:-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 120);
  return name || 'model';
}
