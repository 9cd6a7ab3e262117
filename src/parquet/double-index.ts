/**
 * Distinct doubles and their first-seen index, by bit pattern (so -0 and 0 stay apart), in an
 * open-addressing table of typed arrays: no boxed numbers, no Map entries, which made the dictionary
 * pass over numeric columns the writer's largest cost.
 */
export class DoubleIndex {
  private keys = new Float64Array(1024);
  private slots = new Int32Array(1024).fill(-1);
  private mask = 1023;
  size = 0;

  /** The index of `value`, added (as the next index) if it is new; `isNew` tells which. */
  indexOf(value: number): number {
    let slot = hash(value) & this.mask;
    for (;;) {
      const index = this.slots[slot]!;
      if (index < 0) break;
      if (sameBits(this.keys[slot]!, value)) {
        this.isNew = false;
        return index;
      }
      slot = (slot + 1) & this.mask;
    }
    this.slots[slot] = this.size;
    this.keys[slot] = value;
    this.isNew = true;
    if (++this.size * 2 > this.mask) this.grow();
    return this.size - 1;
  }

  isNew = false;

  private grow(): void {
    const { keys, slots } = this;
    this.keys = new Float64Array(keys.length * 2);
    this.slots = new Int32Array(slots.length * 2).fill(-1);
    this.mask = this.slots.length - 1;
    for (let old = 0; old < slots.length; old++) {
      if (slots[old]! < 0) continue;
      let slot = hash(keys[old]!) & this.mask;
      while (this.slots[slot]! >= 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = slots[old]!;
      this.keys[slot] = keys[old]!;
    }
  }
}

const scratch = new Float64Array(2);
const words = new Uint32Array(scratch.buffer);

/** Both words of the double, mixed by MurmurHash3's finalizer: small integers differ only in high bits. */
function hash(value: number): number {
  scratch[0] = value;
  let h = words[0]! ^ Math.imul(words[1]!, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

function sameBits(a: number, b: number): boolean {
  scratch[0] = a;
  scratch[1] = b;
  return words[0] === words[2] && words[1] === words[3];
}
