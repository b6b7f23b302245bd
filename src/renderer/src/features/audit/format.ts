/** The largest bundle file the page verifies in the browser. */
export const MAX_BROWSER_BUNDLE = 900_000;

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
