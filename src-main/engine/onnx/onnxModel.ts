/**
 * An ONNX model (onnx.proto3's ModelProto) written as protobuf bytes, for graphs of plain operators with their
 * weights inside: what a native runtime (ONNX Runtime) loads from memory. Browser-safe (no Node APIs). Only the fields such a graph needs are
 * written (IR version 8, the default operator set at version 17); the field numbers are onnx.proto3's.
 */

/** A weight or constant: float32, or int64 for shapes. */
export interface OnnxTensor {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
}

/** An attribute value: an int, a float, a string, or a list of ints. */
export type OnnxAttribute = number | string | number[];

export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, OnnxAttribute>;
  /** Set when an attribute that looks like an int must be a float (e.g. LeakyRelu's alpha 1). */
  floatAttributes?: string[];
}

/** A graph input or output: float32, each dimension a size or a name (a size given at run time). */
export interface OnnxValue {
  name: string;
  shape: (number | string)[];
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

const FLOAT = 1;
const INT64 = 7;
/** AttributeProto.AttributeType */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, ints: 7 } as const;
const UTF8 = new TextEncoder();
const VARINT = 0;
const BYTES = 2;
const FIXED32 = 5;

/** A protobuf message being written: fields appended in order. */
class Message {
  private readonly parts: Uint8Array[] = [];

  bytes(): Uint8Array {
    const out = new Uint8Array(this.parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  int(field: number, value: number | bigint): void {
    this.key(field, VARINT);
    this.varint(BigInt(value));
  }

  float(field: number, value: number): void {
    this.key(field, FIXED32);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.parts.push(b);
  }

  string(field: number, value: string): void {
    this.raw(field, UTF8.encode(value));
  }

  raw(field: number, value: Uint8Array): void {
    this.key(field, BYTES);
    this.varint(BigInt(value.length));
    this.parts.push(value);
  }

  message(field: number, write: (m: Message) => void): void {
    const inner = new Message();
    write(inner);
    this.raw(field, inner.bytes());
  }

  private key(field: number, wire: number): void {
    this.varint(BigInt((field << 3) | wire));
  }

  /** Unsigned LEB128; a negative int64 as its two's complement, ten bytes. */
  private varint(value: bigint): void {
    let v = value < 0n ? value + (1n << 64n) : value;
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.parts.push(Uint8Array.from(out));
  }
}

function writeTensor(m: Message, field: number, t: OnnxTensor): void {
  const count = t.dims.reduce((p, d) => p * d, 1);
  if (t.data.length !== count) {
    throw new RangeError(`ONNX tensor ${t.name}: ${t.data.length} values for dims [${t.dims.join(', ')}]`);
  }
  m.message(field, (tensor) => {
    for (const d of t.dims) tensor.int(1, d);
    tensor.int(2, t.data instanceof BigInt64Array ? INT64 : FLOAT);
    tensor.string(8, t.name);
    // raw_data is little-endian, as every platform Node runs on is.
    tensor.raw(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  });
}

function writeValue(m: Message, field: number, v: OnnxValue): void {
  m.message(field, (info) => {
    info.string(1, v.name);
    info.message(2, (type) =>
      type.message(1, (tensorType) => {
        tensorType.int(1, FLOAT);
        tensorType.message(2, (shape) => {
          for (const d of v.shape)
            shape.message(1, (dim) => (typeof d === 'string' ? dim.string(2, d) : dim.int(1, d)));
        });
      }),
    );
  });
}

function writeAttribute(m: Message, name: string, value: OnnxAttribute, asFloat: boolean): void {
  m.message(5, (a) => {
    a.string(1, name);
    if (Array.isArray(value)) {
      for (const v of value) a.int(8, v);
      a.int(20, ATTRIBUTE_TYPE.ints);
    } else if (typeof value === 'string') {
      a.raw(4, UTF8.encode(value));
      a.int(20, ATTRIBUTE_TYPE.string);
    } else if (Number.isInteger(value) && !asFloat) {
      a.int(3, value);
      a.int(20, ATTRIBUTE_TYPE.int);
    } else {
      a.float(2, value);
      a.int(20, ATTRIBUTE_TYPE.float);
    }
  });
}

/** The graph as the bytes of an ONNX model file. */
export function onnxModelBytes(graph: OnnxGraph, producer = 'vae-studio'): Uint8Array {
  const model = new Message();
  model.int(1, ONNX_IR_VERSION);
  model.string(2, producer);
  model.message(7, (g) => {
    graph.nodes.forEach((node, i) =>
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, `${node.op.toLowerCase()}_${i}`);
        n.string(4, node.op);
        for (const [key, value] of Object.entries(node.attributes ?? {}))
          writeAttribute(n, key, value, node.floatAttributes?.includes(key) ?? false);
      }),
    );
    g.string(2, graph.name);
    for (const t of graph.initializers) writeTensor(g, 5, t);
    for (const v of graph.inputs) writeValue(g, 11, v);
    for (const v of graph.outputs) writeValue(g, 12, v);
  });
  model.message(8, (opset) => {
    opset.string(1, '');
    opset.int(2, ONNX_OPSET);
  });
  return model.bytes();
}

/** A float32 scalar constant. */
export function scalar(name: string, value: number): OnnxTensor {
  return { name, dims: [], data: Float32Array.from([value]) };
}
