/** A last-in, first-out stack. */
export class Stack {
  #items = [];

  push(item) {
    this.#items.push(item);
  }

  pop() {
    return this.#items.pop();
  }

  get size() {
    return this.#items.length;
  }
}
