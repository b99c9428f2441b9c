/**
 * The item at `index` (negative counts from the end). An index outside the list fails the
 * test right here with the list's length, instead of as a TypeError on a later property read.
 * An item that is itself `undefined` is returned as it is.
 */
export function nth<T>(items: readonly T[], index: number): T {
  const i = index < 0 ? items.length + index : index;
  if (!Number.isInteger(i) || i < 0 || i >= items.length) throw new Error(`expected an item at index ${index}, but the list has ${items.length}`);
  return items[i] as T;
}
