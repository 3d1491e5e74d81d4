// Writing ONNX: value infos and nodes (for cutModel), and small models from scratch (buildModel).
import * as F from './fields.js';
import { type Dim, ElemType } from './inspect.js';
import { Writer } from './wire.js';

export function writeValueInfo(w: Writer, no: number, name: string, elemType: number, shape?: readonly Dim[]): void {
  w.message(no, (v) => {
    v.stringField(1, name);
    v.message(2, (t) =>
      t.message(1, (tt) => {
        tt.varintField(1, elemType);
        if (shape) {
          tt.message(2, (s) => {
            for (const d of shape) {
              s.message(1, (dim) => {
                if (typeof d === 'number') dim.varintField(1, d);
                else if (typeof d === 'string') dim.stringField(2, d);
              });
            }
          });
        }
      }),
    );
  });
}

/** A node to write: op, inputs, outputs and plain attributes. */
export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly attrs?: Readonly<Record<string, number | readonly number[] | string>>;
  /** Float attributes (the rest of `attrs` numbers are written as ints). */
  readonly floatAttrs?: Readonly<Record<string, number>>;
}

export function writeNode(w: Writer, node: NodeSpec): void {
  w.message(F.GRAPH_NODE, (n) => {
    for (const i of node.inputs) n.stringField(F.NODE_INPUT, i);
    for (const o of node.outputs) n.stringField(F.NODE_OUTPUT, o);
    n.stringField(F.NODE_NAME, node.name ?? `${node.op}_${node.outputs[0]}`);
    n.stringField(F.NODE_OP, node.op);
    for (const [name, value] of Object.entries(node.attrs ?? {})) {
      n.message(F.NODE_ATTR, (a) => {
        a.stringField(F.ATTR_NAME, name);
        if (typeof value === 'number') a.varintField(F.ATTR_I, value).varintField(F.ATTR_TYPE, 2);
        else if (typeof value === 'string') a.stringField(4, value).varintField(F.ATTR_TYPE, 3);
        else a.packedVarints(8, value).varintField(F.ATTR_TYPE, 7);
      });
    }
    for (const [name, value] of Object.entries(node.floatAttrs ?? {})) {
      n.message(F.NODE_ATTR, (a) => a.stringField(F.ATTR_NAME, name).floatField(2, value).varintField(F.ATTR_TYPE, 1));
    }
  });
}

/** A float32 initializer for `buildModel`. */
export interface InitializerSpec {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array | readonly number[];
  /** ElemType.FLOAT (default) or ElemType.INT64 (shape constants). */
  readonly elemType?: number;
}

export interface GraphSpec {
  readonly inputs: readonly { name: string; elemType?: number; shape: readonly Dim[] }[];
  readonly outputs: readonly { name: string; elemType?: number; shape?: readonly Dim[] }[];
  readonly nodes: readonly NodeSpec[];
  readonly initializers?: readonly InitializerSpec[];
  /** ai.onnx opset (default 13). */
  readonly opset?: number;
}

/** Builds a small ONNX model from scratch (tests, and the distance graph k-means runs on WebGPU). */
export function buildModel(spec: GraphSpec): Uint8Array {
  const g = new Writer();
  for (const n of spec.nodes) writeNode(g, n);
  g.stringField(2, 'labelkit');
  for (const init of spec.initializers ?? []) {
    g.message(F.GRAPH_INITIALIZER, (t) => {
      t.packedVarints(1, init.dims);
      const type = init.elemType ?? ElemType.FLOAT;
      t.varintField(2, type);
      t.stringField(8, init.name);
      if (type === ElemType.INT64) {
        t.packedVarints(7, Array.from(init.data));
      } else {
        const f32 = init.data instanceof Float32Array ? init.data : Float32Array.from(init.data);
        t.bytesField(9, new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength));
      }
    });
  }
  for (const i of spec.inputs) writeValueInfo(g, F.GRAPH_INPUT, i.name, i.elemType ?? ElemType.FLOAT, i.shape);
  for (const o of spec.outputs) writeValueInfo(g, F.GRAPH_OUTPUT, o.name, o.elemType ?? ElemType.FLOAT, o.shape);
  const m = new Writer();
  m.varintField(F.MODEL_IR_VERSION, 8);
  m.stringField(F.MODEL_PRODUCER, 'labelkit');
  m.bytesField(F.MODEL_GRAPH, g.finish());
  m.message(F.MODEL_OPSET, (o) => o.stringField(1, '').varintField(2, spec.opset ?? 13));
  return m.finish();
}
