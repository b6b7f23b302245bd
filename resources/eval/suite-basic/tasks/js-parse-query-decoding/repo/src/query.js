/** Parses a URL query string ("a=1&b=2", no leading "?") into an object. */
export function parseQuery(text) {
  const out = {};
  for (const part of text.split('&')) {
    if (!part) continue;
    const [key, value = ''] = part.split('=');
    out[key] = value;
  }
  return out;
}
