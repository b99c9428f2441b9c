/**
 * The item at `index` (negative counts from the end). A missing item fails the test right
 * here with the list's length, instead of as a TypeError on a later property read.
 */
export function nth<T>(items: readonly T[], index: number): T {
  const item = items.at(index);
  if (item === undefined) throw new Error(`expected an item at index ${index}, but the list has ${items.length}`);
  return item;
}
