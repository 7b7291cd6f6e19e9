import * as tf from '@tensorflow/tfjs-core';
import { resolveBackend, VaeModel, defaultConfig, benchmarkTraining } from '/work/main/out/main/engine/index.js';
const arch = process.argv[2] ?? 'std64';
const choice = await resolveBackend('wasm');
console.log(choice.name ?? choice.backend, choice.detail ?? '');
const size = arch === 'std64' ? 64 : 28, ch = arch === 'std64' ? 3 : 1;
const cfg = defaultConfig(size, ch);
const model = VaeModel.create(cfg, 0);
await benchmarkTraining(model, { batchSize: 64, steps: 1, warmup: 2, seed: 0 });
const info = await tf.profile(async () => { await benchmarkTraining(model, { batchSize: 64, steps: 1, warmup: 0, seed: 0 }); });
const agg = new Map();
for (const k of info.kernels) {
  const t = await k.kernelTimeMs; const key = k.name + ' ' + JSON.stringify(k.inputShapes);
  const a = agg.get(key) ?? { n: 0, t: 0 }; a.n++; a.t += typeof t === 'number' ? t : 0; agg.set(key, a);
}
const rows = [...agg].sort((a, b) => b[1].t - a[1].t);
let tot = 0; for (const [, v] of rows) tot += v.t;
console.log('total kernel ms', tot.toFixed(1));
for (const [k, v] of rows.slice(0, 30)) console.log(v.t.toFixed(1).padStart(8), String(v.n).padStart(3), k);
