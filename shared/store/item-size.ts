/** DynamoDB's item size: attribute names plus values (strings as UTF-8, numbers about 1 byte per 2 digits). */
export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((size, [name, value]) => {
    if (value instanceof Uint8Array) return size + name.length + value.length;
    if (typeof value === 'number') return size + name.length + Math.ceil(String(value).length / 2) + 1;
    if (value === null || typeof value === 'boolean') return size + name.length + 1;
    return size + name.length + Buffer.byteLength(typeof value === 'string' ? value : JSON.stringify(value));
  }, 0);
}
