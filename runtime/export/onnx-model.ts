/**
 * The ONNX messages Unroll writes (onnx.proto, IR version 8), as plain data, and their protobuf
 * encoding. Field numbers are onnx.proto's; only the fields Unroll uses are written.
 */
import { ProtoWriter } from './protobuf.ts';

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

/** The opset the export is written against (ONNX 1.12, onnxruntime ≥ 1.12). */
export const ONNX_OPSET = 17;
/** IR version that goes with opset 17. */
export const ONNX_IR_VERSION = 8;

export type OnnxAttr =
  | { readonly name: string; readonly kind: 'int'; readonly value: number }
  | { readonly name: string; readonly kind: 'float'; readonly value: number }
  | { readonly name: string; readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly name: string; readonly kind: 'string'; readonly value: string }
  | { readonly name: string; readonly kind: 'tensor'; readonly value: OnnxTensor };

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly attrs?: readonly OnnxAttr[];
}

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly type: typeof ONNX_FLOAT | typeof ONNX_INT64;
  readonly data: Float32Array | BigInt64Array;
}

/** A graph input or output: element type and dims, a string dim being symbolic (`batch`). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly type: typeof ONNX_FLOAT | typeof ONNX_INT64;
  readonly dims: readonly (number | string)[];
}

export interface OnnxModel {
  readonly graphName: string;
  readonly doc: string;
  readonly producerVersion: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

function tensor(w: ProtoWriter, t: OnnxTensor): void {
  // TensorProto: dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian bytes).
  if (t.dims.length > 0) w.packedVarints(1, t.dims);
  w.varint(2, t.type);
  w.string(8, t.name);
  const bytes = new Uint8Array(t.data.length * (t.type === ONNX_FLOAT ? 4 : 8));
  const view = new DataView(bytes.buffer);
  if (t.data instanceof Float32Array) t.data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  else t.data.forEach((v, i) => view.setBigInt64(8 * i, v, true));
  w.bytes(9, bytes);
}

function attribute(w: ProtoWriter, a: OnnxAttr): void {
  // AttributeProto: name = 1, f = 2, i = 3, s = 4, t = 5, ints = 8, type = 20.
  w.string(1, a.name);
  switch (a.kind) {
    case 'float':
      w.float(2, a.value).varint(20, 1);
      break;
    case 'int':
      w.varint(3, a.value).varint(20, 2);
      break;
    case 'string':
      w.string(4, a.value).varint(20, 3);
      break;
    case 'tensor':
      w.message(5, (t) => tensor(t, a.value)).varint(20, 4);
      break;
    case 'ints':
      w.packedVarints(8, a.value).varint(20, 7);
      break;
  }
}

function valueInfo(w: ProtoWriter, v: OnnxValueInfo): void {
  // ValueInfoProto: name = 1, type = 2; TypeProto.tensor_type = 1; Tensor: elem_type = 1, shape = 2;
  // TensorShapeProto.dim = 1; Dimension: dim_value = 1, dim_param = 2.
  w.string(1, v.name);
  w.message(2, (type) =>
    type.message(1, (tt) => {
      tt.varint(1, v.type);
      tt.message(2, (shape) => {
        for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.varint(1, d) : dim.string(2, d)));
      });
    }),
  );
}

/** The ModelProto bytes of `m`. */
export function encodeOnnxModel(m: OnnxModel): Uint8Array {
  const w = new ProtoWriter();
  // ModelProto: ir_version = 1, producer_name = 2, producer_version = 3, doc_string = 6, graph = 7, opset_import = 8.
  w.varint(1, ONNX_IR_VERSION);
  w.string(2, 'unroll');
  w.string(3, m.producerVersion);
  w.string(6, m.doc);
  w.message(7, (g) => {
    // GraphProto: node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12.
    for (const n of m.nodes) {
      g.message(1, (nw) => {
        // NodeProto: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
        for (const i of n.inputs) nw.string(1, i);
        for (const o of n.outputs) nw.string(2, o);
        if (n.name !== undefined) nw.string(3, n.name);
        nw.string(4, n.op);
        for (const a of n.attrs ?? []) nw.message(5, (aw) => attribute(aw, a));
      });
    }
    g.string(2, m.graphName);
    for (const t of m.initializers) g.message(5, (tw) => tensor(tw, t));
    for (const v of m.inputs) g.message(11, (vw) => valueInfo(vw, v));
    for (const v of m.outputs) g.message(12, (vw) => valueInfo(vw, v));
  });
  // OperatorSetIdProto: domain = 1 (empty: the default ONNX domain), version = 2.
  w.message(8, (o) => o.string(1, '').varint(2, ONNX_OPSET));
  return w.finish();
}
