import { useEffect, useRef } from 'react';

/** A square RGB image (size × size × 3 bytes) drawn pixel for pixel on a canvas, scaled up without smoothing. */
export function PixelImage({ pixels, size }: { pixels: Uint8Array; size: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = ctx.createImageData(size, size);
    for (let i = 0, j = 0; j < pixels.length; i += 4, j += 3) {
      img.data[i] = pixels[j];
      img.data[i + 1] = pixels[j + 1];
      img.data[i + 2] = pixels[j + 2];
      img.data[i + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }, [pixels, size]);
  return <canvas ref={ref} width={size} height={size} className="pixelated" />;
}
