/** How many words the text holds. */
export function countWords(text: string): number {
  return text.split(' ').length;
}
