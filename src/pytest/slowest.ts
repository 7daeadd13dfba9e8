import type { SlowTest } from './result.js';

/**
 * The N slowest tests seen so far, in a min-heap of fixed size: memory stays O(N) however many
 * tests stream past. Callers ask `admits()` first so they build an id only for a likely entry.
 */
export class SlowestTests {
  private readonly heap: SlowTest[] = [];

  constructor(private readonly size: number) {}

  /** Whether a test of this duration would enter the list (ties keep the earlier test). */
  admits(seconds: number): boolean {
    if (this.size <= 0) return false;
    return this.heap.length < this.size || seconds > this.heap[0].seconds;
  }

  offer(id: string, seconds: number): void {
    if (!this.admits(seconds)) return;
    if (this.heap.length < this.size) {
      this.heap.push({ id, seconds });
      this.siftUp(this.heap.length - 1);
    } else {
      this.heap[0] = { id, seconds };
      this.siftDown(0);
    }
  }

  /** Longest first; equal durations in id order so reports are stable. */
  sorted(): SlowTest[] {
    return [...this.heap].sort((a, b) => b.seconds - a.seconds || (a.id < b.id ? -1 : 1));
  }

  private siftUp(i: number): void {
    const heap = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].seconds <= heap[i].seconds) return;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let least = i;
      if (left < heap.length && heap[left].seconds < heap[least].seconds) least = left;
      if (right < heap.length && heap[right].seconds < heap[least].seconds) least = right;
      if (least === i) return;
      [heap[least], heap[i]] = [heap[i], heap[least]];
      i = least;
    }
  }
}
