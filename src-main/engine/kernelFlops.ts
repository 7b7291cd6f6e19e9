/**
 * Floating-point work of one tfjs kernel call, from the shapes a profile records (tf.profile's `inputShapes` and
 * `outputShapes`; attributes such as strides are not recorded, so everything is read from the shapes). A multiply
 * and an add count two. Kernels whose work is not a product (element-wise, reductions, copies) count 0: their
 * time is what the step spends outside the arithmetic.
 */

const product = (shape: readonly number[] | undefined): number =>
  shape ? shape.reduce((a, b) => a * b, 1) : 0;

export function kernelFlops(
  name: string,
  inputShapes: readonly (readonly number[])[],
  outputShapes: readonly (readonly number[])[],
): number {
  switch (name) {
    case 'Conv2D':
    case 'FusedConv2D': {
      // x [N, H, W, Cin], filter [kh, kw, Cin, Cout] → y [N, Ho, Wo, Cout]: each output is kh·kw·Cin products.
      const filter = inputShapes[1];
      if (!filter || filter.length !== 4) return 0;
      return 2 * product(outputShapes[0]) * filter[0]! * filter[1]! * filter[2]!;
    }
    case 'Conv2DBackpropInput': {
      // dy [N, Ho, Wo, Cout], filter [kh, kw, Cin, Cout] → dx: the forward conv's products, run backwards.
      const filter = inputShapes[1];
      if (!filter || filter.length !== 4) return 0;
      return 2 * product(inputShapes[0]) * filter[0]! * filter[1]! * filter[2]!;
    }
    case 'Conv2DBackpropFilter': {
      // x, dy [N, Ho, Wo, Cout] → dW [kh, kw, Cin, Cout]: every dy entry meets kh·kw·Cin inputs.
      const filter = outputShapes[0];
      const dy = inputShapes[1];
      if (!filter || filter.length !== 4 || !dy) return 0;
      return 2 * product(dy) * filter[0]! * filter[1]! * filter[2]!;
    }
    case 'BatchMatMul':
    case '_FusedMatMul': {
      // a [B, M, K] (or transposed), b [B, K, N] → [B, M, N]: |a|·|b| / |out| = B·K², whatever the transposes.
      const a = product(inputShapes[0]);
      const b = product(inputShapes[1]);
      const out = outputShapes[0];
      if (!out || out.length < 2) return 0;
      const batch = product(out.slice(0, -2));
      const k = Math.sqrt((a * b) / (product(out) * batch));
      return Number.isFinite(k) ? 2 * product(out) * Math.round(k) : 0;
    }
    default:
      return 0;
  }
}
