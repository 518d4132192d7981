// AssemblyScript (compiled by src/build/simdKernels.ts, not by tsc): the convolution kernels and the
// fused element-wise kernels as 128-bit wasm SIMD loops that work in place on the tfjs wasm backend's
// own memory (imported), so no tensor is copied in or out. Every pointer is a byte offset into that
// memory. NHWC, float32. The module has no data segment and allocates nothing: it must not touch
// memory it is not given. Each kernel takes, last, the range of the units its caller splits between
// threads (pixels, rows, channels, images or elements; src/engine/kernels/simd/kernelThreads.ts), and
// says which.
export { convFilterGrad } from './convFilterGrad.as';
export { convInputGrad } from './convInputGrad.as';
export { depthwiseFilterGrad, depthwiseInputGrad } from './depthwiseGrad.as';
export { convForward } from './convForward.as';
export { swishForward, swishBackward } from './swish.as';
export { channelMoments, channelAffine, batchNormGradSums, batchNormGradInput } from './batchNorm.as';
export { channelScale, channelScaleGrad } from './channelScale.as';
export { adamUpdate } from './adam.as';
