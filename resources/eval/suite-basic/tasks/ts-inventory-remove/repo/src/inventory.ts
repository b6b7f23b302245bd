/** Stock levels by item name. */
export class Inventory {
  private readonly stock = new Map<string, number>();

  add(item: string, qty: number): void {
    this.stock.set(item, this.count(item) + qty);
  }

  count(item: string): number {
    return this.stock.get(item) ?? 0;
  }
}
