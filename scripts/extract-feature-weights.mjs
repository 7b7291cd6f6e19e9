// Extracts the quality-feature network shipped in assets/features/ (issue 12; why this network: docs/quality-features.md).
//
//   cd /tmp/featprobe   # any folder with nsfwjs@4.4.0 and @tensorflow/tfjs-core@4.22.0 (+ tfjs-backend-cpu) installed
//   node /work/wt-q-extractor/scripts/extract-feature-weights.mjs [OUT_DIR]   # OUT_DIR defaults to <repo>/assets/features
//
// Reads nsfwjs 4.4.0's MobileNetV2 Keras layers model (dist/models/mobilenet_v2, uint8-quantised ImageNet weights,
// frozen through block_10), dequantises it with tfjs's own decodeWeights, keeps the layers that block_10_expand_relu
// depends on, folds every BatchNormalization into the (depthwise) conv before it, every ReLU6 into that conv's
// activation and every ZeroPadding2D into the next conv's explicit padding, and writes:
//   mobilenetv2-block10.json  the topology: ordered ops (conv2d / depthwiseConv2d / add) and the tensors' places
//   mobilenetv2-block10.bin   the folded weights, float32 little-endian, in the order of `tensors`
//   LICENSE-nsfwjs.txt        nsfwjs's MIT notice and where the ImageNet weights come from
// The output is deterministic: running it again gives the same bytes.
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(join(process.cwd(), 'package.json'));
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');

const TARGET = 'block_10_expand_relu';
const outDir = resolve(
  process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'assets', 'features'),
);
// nsfwjs's `exports` map hides package.json and dist/models, so find the folder on the resolver's search paths.
const pkgDir = require.resolve
  .paths('nsfwjs')
  .map((p) => join(p, 'nsfwjs'))
  .find((d) => existsSync(join(d, 'package.json')));
if (!pkgDir) throw new Error('nsfwjs is not installed here (run from a folder with nsfwjs@4.4.0 installed)');
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
if (pkg.version !== '4.4.0') throw new Error(`expected nsfwjs 4.4.0, found ${pkg.version}`);
const modelDir = join(pkgDir, 'dist', 'models', 'mobilenet_v2');

await tf.setBackend('cpu');
const raw = require(join(modelDir, 'model.min.js'));
const json = typeof raw === 'string' ? JSON.parse(raw) : raw;
const all = json.modelTopology.model_config.config.layers;
const byName = new Map(all.map((l) => [l.name, l]));
const inputsOf = (l) => (l.inbound_nodes[0] ?? []).map(([n]) => n);
const keep = new Set();
const visit = (n) => {
  if (keep.has(n)) return;
  keep.add(n);
  inputsOf(byName.get(n)).forEach(visit);
};
visit(TARGET);
const layers = all.filter((l) => keep.has(l.name));
const consumers = new Map(layers.map((l) => [l.name, []]));
for (const l of layers) for (const i of inputsOf(l)) consumers.get(i)?.push(l);
for (const l of layers)
  if (l.config.trainable !== false && l.class_name !== 'InputLayer')
    throw new Error(`${l.name} is not frozen: not an ImageNet layer`);

const specs = json.weightsManifest.flatMap((g) => g.weights);
const data = Buffer.concat(
  json.weightsManifest.flatMap((g) =>
    g.paths.map((p) => Buffer.from(require(join(modelDir, `${p}.min.js`)), 'base64')),
  ),
);
const W = tf.io.decodeWeights(new Uint8Array(data).buffer, specs); // dequantises the uint8 weights (min + scale·q)

const tensors = [];
const chunks = [];
let offset = 0;
const addTensor = (name, t) => {
  const values = t.dataSync();
  tensors.push({ name, shape: t.shape, offset });
  chunks.push(Float32Array.from(values));
  offset += values.length;
  return name;
};

const ops = [];
const alias = new Map(); // folded-away layer -> the layer whose output stands for it
const resolveName = (n) => {
  while (alias.has(n)) n = alias.get(n);
  return n;
};
const only = (name, cls) => {
  const next = consumers.get(name);
  return next.length === 1 && next[0].class_name === cls ? next[0] : null;
};
const inputName = layers[0].name;
if (layers[0].class_name !== 'InputLayer') throw new Error('first layer is not the input');
for (const l of layers.slice(1)) {
  const c = l.config;
  const k = l.class_name;
  if (k === 'ZeroPadding2D') {
    const next = consumers.get(l.name);
    if (next.length !== 1 || !/Conv2D$/.test(next[0].class_name) || next[0].config.padding !== 'valid')
      throw new Error(`cannot fold ${l.name}`);
    continue; // folded into the conv that reads it
  }
  if (k === 'Conv2D' || k === 'DepthwiseConv2D') {
    const depthwise = k === 'DepthwiseConv2D';
    let kernel = W[`${l.name}/${depthwise ? 'depthwise_kernel' : 'kernel'}`];
    const outC = depthwise ? kernel.shape[2] * kernel.shape[3] : kernel.shape[3];
    let bias = c.use_bias ? W[`${l.name}/bias`] : tf.zeros([outC]);
    if (c.activation !== 'linear') throw new Error(`${l.name}: unexpected activation ${c.activation}`);
    let activation = 'linear';
    let out = l.name;
    const bn = only(l.name, 'BatchNormalization');
    if (bn) {
      const p = (w) => W[`${bn.name}/${w}`];
      const gamma = bn.config.scale ? p('gamma') : tf.ones([outC]);
      const beta = bn.config.center ? p('beta') : tf.zeros([outC]);
      const scale = tf.div(gamma, tf.sqrt(tf.add(p('moving_variance'), bn.config.epsilon)));
      kernel = depthwise ? tf.mul(kernel, tf.reshape(scale, [1, 1, -1, 1])) : tf.mul(kernel, scale);
      bias = tf.add(tf.mul(tf.sub(bias, p('moving_mean')), scale), beta);
      alias.set(out, bn.name);
      out = bn.name;
      const relu = only(bn.name, 'ReLU');
      if (relu) {
        if (
          relu.config.max_value !== 6 ||
          (relu.config.negative_slope ?? 0) !== 0 ||
          (relu.config.threshold ?? 0) !== 0
        )
          throw new Error(`${relu.name} is not ReLU6`);
        activation = 'relu6';
        alias.set(out, relu.name);
        out = relu.name;
      }
    }
    let input = inputsOf(l)[0];
    let pad = c.padding; // 'same' | 'valid'
    const src = byName.get(input);
    if (src.class_name === 'ZeroPadding2D') {
      pad = [src.config.padding[0], src.config.padding[1]]; // [[top, bottom], [left, right]]
      input = inputsOf(src)[0];
    }
    if (c.strides[0] !== c.strides[1] || c.dilation_rate[0] !== 1 || c.dilation_rate[1] !== 1)
      throw new Error(`${l.name}: unexpected strides/dilation`);
    ops.push({
      op: depthwise ? 'depthwiseConv2d' : 'conv2d',
      name: out,
      input: resolveName(input),
      kernel: addTensor(`${l.name}/kernel`, kernel),
      bias: addTensor(`${l.name}/bias`, bias),
      stride: c.strides[0],
      pad,
      activation,
    });
    continue;
  }
  if (k === 'BatchNormalization' || k === 'ReLU') {
    if (!alias.has(inputsOf(l)[0])) throw new Error(`${l.name} was not folded`);
    continue;
  }
  if (k === 'Add') {
    ops.push({ op: 'add', name: l.name, inputs: inputsOf(l).map(resolveName) });
    continue;
  }
  throw new Error(`no op for ${k} (${l.name})`);
}
const output = resolveName(TARGET);
if (output !== TARGET) throw new Error(`target ${TARGET} was folded away`);
const last = ops.find((o) => o.name === output);
const dim = tensors.find((t) => t.name === last.bias).shape[0];

const topology = {
  format: 'vae-studio-feature-network/1',
  name: 'nsfwjs MobileNetV2 (ImageNet weights, 8-bit), block_10_expand_relu, global average pool, 384-d; 96×96 bilinear, [-1, 1]; not Inception/FID-comparable',
  source: `nsfwjs ${pkg.version} dist/models/mobilenet_v2 (Keras MobileNetV2 alpha 1.0, ImageNet weights frozen through block_10, uint8-quantised), extracted by scripts/extract-feature-weights.mjs`,
  input: inputName,
  inputChannels: 3,
  inputSize: 96,
  preprocess:
    'pixels/255 in [0, 1] -> tf.image.resizeBilinear to 96x96 (alignCorners false, halfPixelCenters false) -> x*2-1; gray: the first conv kernel summed over its 3 input channels',
  output,
  pool: 'mean over height and width',
  dim,
  dtype: 'float32',
  weightCount: offset,
  ops,
  tensors,
};
mkdirSync(outDir, { recursive: true });
const bin = new Uint8Array(offset * 4);
const view = new DataView(bin.buffer);
let at = 0;
for (const chunk of chunks) for (const v of chunk) view.setFloat32(4 * at++, v, true);
writeFileSync(join(outDir, 'mobilenetv2-block10.bin'), bin);
writeFileSync(join(outDir, 'mobilenetv2-block10.json'), JSON.stringify(topology, null, 1) + '\n');
const license = readFileSync(join(pkgDir, 'LICENSE'), 'utf8').trim();
writeFileSync(
  join(outDir, 'LICENSE-nsfwjs.txt'),
  `mobilenetv2-block10.json and mobilenetv2-block10.bin are derived from nsfwjs ${pkg.version}
(https://github.com/infinitered/nsfwjs, dist/models/mobilenet_v2) by scripts/extract-feature-weights.mjs:
the layers through block_10_expand_relu, dequantised, with batch normalisation folded into the convolutions.

Those layers are the ImageNet weights of Keras's MobileNetV2 (keras.applications.MobileNetV2(weights='imagenet'),
alpha 1.0; keras-applications, MIT; the weights were trained by Google, see https://github.com/keras-team/keras-applications),
which nsfwjs's training (GantMan/nsfw_model, training/mobilenetv2_transfer) kept frozen (trainable: false) while
fine-tuning the later blocks, and which nsfwjs ships quantised to 8 bits. nsfwjs's licence:

${license}
`,
);
console.log(
  JSON.stringify({
    outDir,
    ops: ops.length,
    tensors: tensors.length,
    weights: offset,
    bytes: bin.length,
    dim,
    output,
  }),
);
