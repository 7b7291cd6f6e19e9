import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { defaultConfig } from '/work/main/src-main/engine/config.js';
import { VaeModel } from '/work/main/src-main/engine/model.js';
import { registerVaeGradients } from '/work/main/src-main/engine/gradients.js';
import { negElboTerms, noise } from '/work/main/src-main/engine/loss.js';
import { globalNorm, Adam } from '/work/main/src-main/engine/adam.js';
import { bytesToTensor } from '/work/main/src-main/engine/pixels.js';

it('norms', async () => {
  await tf.setBackend('cpu');
  registerVaeGradients();
  for (const [size, ch] of [[28, 1], [64, 3]] as const) {
    const m = VaeModel.create(defaultConfig(size, ch), 0);
    const adam = new Adam(m.variables, m.paramNames, { learningRate: 1e-3 });
    // blobs: a bright disc at a random place per image
    const n = 32, px = new Uint8Array(n * size * size * ch);
    for (let i = 0; i < n; i++) { const cx = (i * 7) % size, cy = (i * 13) % size, r = size / 5;
      for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if ((x - cx) ** 2 + (y - cy) ** 2 < r * r) for (let c = 0; c < ch; c++) px[((i * size + y) * size + x) * ch + c] = 255; }
    const x = bytesToTensor(px, n, size, ch);
    const out: string[] = [];
    const t0 = performance.now();
    for (let s = 0; s < 30; s++) {
      const { value, grads } = tf.variableGrads(() => negElboTerms(m, x, noise(n, m.config.latentDim, s), 1, 0).loss, m.variables);
      const gl = m.variables.map((v) => grads[v.name]!);
      const nrm = globalNorm(gl).dataSync()[0]!;
      out.push(`${s}:${value.dataSync()[0]!.toFixed(0)}/${nrm.toFixed(0)}`);
      adam.apply(gl); tf.dispose([value, ...gl]);
      if (size === 64 && s >= 8) break;
    }
    console.log(size, ((performance.now() - t0) / out.length).toFixed(0), 'ms/step', out.join(' '));
  }
});
