import type { RawTensor } from './rawTensor';
import { readSafetensors } from './safetensors';
import { readTorchStateDict } from './torchPickle';

/**
 * The largest weight file read (1 GiB): EfficientNet-B7's is 267 MB; a larger file is refused by its size
 * before a byte of it is read or allocated.
 */
export const MAX_WEIGHT_FILE_BYTES = 2 ** 30;

export function weightFileSizeProblem(name: string, bytes: number): string | null {
  return bytes > MAX_WEIGHT_FILE_BYTES
    ? `The weight file ${name} is ${(bytes / 2 ** 20).toFixed(0)} MiB; weight files of up to ${MAX_WEIGHT_FILE_BYTES / 2 ** 20} MiB are read.`
    : null;
}

/** Which weight file this is, by its first bytes: a zip is PyTorch's format, else safetensors is tried. */
export function readWeightFile(
  file: Uint8Array,
  name: string,
): { format: 'pth' | 'safetensors'; tensors: Map<string, RawTensor> } {
  const what = `The weight file ${name}`;
  if (file.length >= 4 && file[0] === 0x50 && file[1] === 0x4b && file[2] === 0x03 && file[3] === 0x04)
    return { format: 'pth', tensors: readTorchStateDict(file, what) };
  if (file.length >= 2 && file[0] === 0x80 && file[1] <= 5)
    throw new Error(
      `${what} is a PyTorch file in the legacy (pre-1.6) format; save it again with torch.save in a recent PyTorch.`,
    );
  return { format: 'safetensors', tensors: readSafetensors(file, what) };
}
