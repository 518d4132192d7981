/**
 * The part of a photo an example is cut from: the whole photo, or a person box clipped to the photo (a box
 * wholly outside it is refused, not cut to a sliver); the example is that region's centered square.
 * The page's worker (canvas) and the runner (Node) cut the same region.
 */
export function squareRegion(
  width: number,
  height: number,
  box?: [number, number, number, number],
): { x0: number; y0: number; w: number; h: number; side: number } {
  if (box && (box[0] >= width || box[1] >= height || box[0] + box[2] <= 0 || box[1] + box[3] <= 0))
    throw new Error(`the person box [${box.join(', ')}] lies outside the ${width}×${height} photo`);
  const x0 = box ? Math.min(width - 1, Math.max(0, box[0])) : 0;
  const y0 = box ? Math.min(height - 1, Math.max(0, box[1])) : 0;
  const w = box ? Math.max(1, Math.min(width - x0, box[2])) : width;
  const h = box ? Math.max(1, Math.min(height - y0, box[3])) : height;
  return { x0, y0, w, h, side: Math.min(w, h) };
}
