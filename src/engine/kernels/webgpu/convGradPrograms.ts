/**
 * The lab's own WebGPU programs for the convolution gradients, one file per kind: what they share
 * (convGradCommon.ts), the split reduction's second pass (partialSumProgram.ts), the dense convolution's
 * (denseGradPrograms.ts) and the depthwise one's (depthwiseGradPrograms.ts).
 */
export type { ConvGradGeometry, CountedProgram, DispatchWork } from './convGradCommon';
export { injectWebgpuGradFault, splitOf } from './convGradCommon';
export { PartialSumProgram } from './partialSumProgram';
export { conv2dFilterGradPrograms, conv2dInputGradPrograms } from './denseGradPrograms';
export { depthwiseFilterGradPrograms, DepthwiseInputGradProgram } from './depthwiseGradPrograms';
