import { useEffect, useRef } from 'react';

/** A 28x28 grayscale digit (0..255, white ink on black as in MNIST) drawn on a small canvas. */
export function DigitImage({ pixels, size = 42, title }: { pixels: ArrayLike<number>; size?: number; title?: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = pixels[i];
      img.data.set([v, v, v, 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels]);
  return (
    <canvas
      ref={ref}
      width={28}
      height={28}
      style={{ width: size, height: size, imageRendering: 'pixelated' }}
      role="img"
      aria-label={title}
      title={title}
    />
  );
}
