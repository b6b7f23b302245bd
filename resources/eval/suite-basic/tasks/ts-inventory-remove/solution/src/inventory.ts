/** Stock levels by item name. */
export class Inventory {
  private readonly stock = new Map<string, number>();

  add(item: string, qty: number): void {
    this.stock.set(item, this.count(item) + qty);
  }

  count(item: string): number {
    return this.stock.get(item) ?? 0;
  }

  remove(item: string, qty: number): void {
    const have = this.count(item);
    if (qty > have) throw new Error(`cannot remove ${qty} ${item}: only ${have} in stock`);
    this.stock.set(item, have - qty);
  }
}
