import { afterEach, describe, expect, it, vi } from 'vitest';
import { paintLater, paintsPending } from '../../../src/ui/common/paint';

/** A stand-in canvas: paintLater only keys on it and checks that it is still in the page. */
const canvas = (connected = true) => ({ isConnected: connected }) as unknown as HTMLCanvasElement;
const nextTask = () => new Promise((r) => setTimeout(r, 0));

describe('paintLater: canvas drawing in short tasks after the render', () => {
  afterEach(() => vi.restoreAllMocks());

  it('draws later, once per canvas with its newest drawing, and skips a canvas no longer in the page', async () => {
    const drawn: string[] = [];
    const a = canvas();
    paintLater(a, () => drawn.push('a1'));
    paintLater(a, () => drawn.push('a2'));
    paintLater(canvas(false), () => drawn.push('gone'));
    expect(drawn).toEqual([]); // nothing in the caller's task
    while (paintsPending() > 0) await nextTask();
    expect(drawn).toEqual(['a2']);
  });

  it('stops a task once 8 ms of drawing are spent and goes on in the next', async () => {
    let now = 0;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const perTask: number[] = [];
    let inTask = 0;
    for (let i = 0; i < 10; i++)
      paintLater(canvas(), () => {
        now += 3; // each drawing takes 3 ms
        inTask++;
      });
    while (paintsPending() > 0) {
      inTask = 0;
      await nextTask();
      perTask.push(inTask);
    }
    // 3 ms each: the third crosses 8 ms and ends the task; 10 drawings take 4 tasks
    expect(perTask.filter((n) => n > 0)).toEqual([3, 3, 3, 1]);
  });
});
