// The reference features of test/engine/quality/fixtures/mobilenetv2-reference.json: nsfwjs's MobileNetV2 run by
// tfjs-layers itself (no folding), on fixed images, for test/engine/quality/features.test.ts.
//
//   cd /tmp/featprobe   # a folder with nsfwjs@4.4.0 and @tensorflow/tfjs-{core,backend-cpu,layers}@4.22.0 installed
//   node /work/wt-q-extractor/scripts/feature-reference.mjs /work/wt-q-extractor/test/engine/quality/fixtures/mobilenetv2-reference.json
import { createRequire } from 'node:module';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tfl = require('@tensorflow/tfjs-layers');
const LAYER = 'block_10_expand_relu',
  S = 96;
const pkgDir = require.resolve
  .paths('nsfwjs')
  .map((p) => join(p, 'nsfwjs'))
  .find((d) => existsSync(join(d, 'package.json')));
const dir = join(pkgDir, 'dist', 'models', 'mobilenet_v2');
const raw = require(`${dir}/model.min.js`);
const json = typeof raw === 'string' ? JSON.parse(raw) : structuredClone(raw);
const layers = json.modelTopology.model_config.config.layers;
const byName = new Map(layers.map((l) => [l.name, l]));
const keep = new Set();
const visit = (name) => {
  if (keep.has(name)) return;
  keep.add(name);
  for (const node of byName.get(name).inbound_nodes) for (const [src] of node) visit(src);
};
visit(LAYER);
const cfg = json.modelTopology.model_config.config;
cfg.layers = layers.filter((l) => keep.has(l.name));
cfg.layers[0].config.batch_input_shape = [null, S, S, 3];
cfg.output_layers = [[LAYER, 0, 0]];
delete json.modelTopology.training_config;
const weightSpecs = json.weightsManifest.flatMap((g) => g.weights);
const chunks = json.weightsManifest.flatMap((g) =>
  g.paths.map((p) => Buffer.from(require(`${dir}/${p}.min.js`), 'base64')),
);
const weightData = new Uint8Array(Buffer.concat(chunks)).buffer;
await tf.setBackend('cpu');
const model = await tfl.loadLayersModel(
  tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }),
  { strict: false },
);

// Deterministic images, uint8 NHWC.
const img = (size, channels, f) => {
  const p = [];
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < channels; c++) p.push(Math.max(0, Math.min(255, Math.round(f(x, y, c, size)))));
  return p;
};
const images = [
  {
    name: 'gray 28×28 vertical bars',
    size: 28,
    channels: 1,
    pixels: img(28, 1, (x) => (Math.floor(x / 4) % 2 ? 230 : 20)),
  },
  {
    name: 'gray 28×28 radial gradient',
    size: 28,
    channels: 1,
    pixels: img(28, 1, (x, y, _c, s) => 255 * (1 - Math.hypot(x - s / 2, y - s / 2) / (s / 1.5))),
  },
  {
    name: 'rgb 32×32 colour gradients with a square',
    size: 32,
    channels: 3,
    pixels: img(32, 3, (x, y, c, s) =>
      x > 8 && x < 20 && y > 10 && y < 22
        ? [250, 40, 90][c]
        : [(255 * x) / (s - 1), (255 * y) / (s - 1), (255 * (x + y)) / (2 * s - 2)][c],
    ),
  },
];
for (const im of images) {
  const f = tf.tidy(() => {
    let x = tf.div(tf.tensor4d(im.pixels, [1, im.size, im.size, im.channels], 'float32'), 255);
    x = tf.image.resizeBilinear(x, [S, S]);
    if (im.channels === 1) x = tf.tile(x, [1, 1, 1, 3]);
    return tf.mean(model.predict(tf.sub(tf.mul(x, 2), 1)), [1, 2]);
  });
  im.features = Array.from(f.dataSync(), (v) => +v.toPrecision(7));
}
const out = {
  producedBy:
    'tfjs-layers 4.22 (cpu backend) loadLayersModel of nsfwjs 4.4.0 mobilenet_v2 truncated at block_10_expand_relu, input 96, uint8/255 -> resizeBilinear 96 -> gray tiled to RGB -> x*2-1 -> mean over H, W; scripts/feature-reference.mjs',
  layer: LAYER,
  inputSize: S,
  images,
};
writeFileSync(process.argv[2], JSON.stringify(out) + '\n');
console.log(images.map((i) => [i.name, i.features.slice(0, 4), Math.max(...i.features)]));
