// Reading and rewriting ONNX ModelProto bytes: list a graph's tensors, expose an intermediate tensor
// as a graph output (optionally pooled to a vector), drop what the new outputs do not need, and
// build small graphs from scratch. Field numbers follow onnx/onnx.proto.
import { LabelkitError } from '@labelkit/core';
import { type Field, LEN, VARINT, Writer, fieldString, readFields, readPackedVarints } from './wire.js';

/** ONNX TensorProto.DataType values used here. */
export const ElemType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;

const ELEM_NAMES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};

export function elemTypeName(t: number | undefined): string {
  return t === undefined ? 'unknown' : (ELEM_NAMES[t] ?? `type ${t}`);
}

/** A dimension: a number, a symbolic name, or null when unknown. */
export type Dim = number | string | null;

export interface ValueInfo {
  readonly name: string;
  readonly elemType?: number;
  readonly shape?: readonly Dim[];
}

export interface NodeInfo {
  readonly name: string;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Integer attributes (e.g. Cast's `to`); others are left out. */
  readonly intAttrs: Readonly<Record<string, number>>;
  /** Names an attribute subgraph (If/Loop/Scan body) reads from the enclosing scope. */
  readonly outerNames: readonly string[];
}

export interface ModelInfo {
  readonly irVersion: number;
  readonly producer: string;
  readonly opsets: readonly { domain: string; version: number }[];
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly valueInfo: readonly ValueInfo[];
  readonly initializers: readonly ValueInfo[];
  readonly nodes: readonly NodeInfo[];
}

// ModelProto / GraphProto / NodeProto field numbers.
const MODEL_IR_VERSION = 1;
const MODEL_PRODUCER = 2;
const MODEL_GRAPH = 7;
const MODEL_OPSET = 8;
const GRAPH_NODE = 1;
const GRAPH_INITIALIZER = 5;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const GRAPH_VALUE_INFO = 13;
const NODE_INPUT = 1;
const NODE_OUTPUT = 2;
const NODE_NAME = 3;
const NODE_OP = 4;
const NODE_ATTR = 5;
const NODE_DOMAIN = 7;
const ATTR_NAME = 1;
const ATTR_I = 3;
const ATTR_G = 6;
const ATTR_GRAPHS = 11;
const ATTR_TYPE = 20;

function readValueInfo(buf: Uint8Array, f: Field): ValueInfo {
  let name = '';
  let elemType: number | undefined;
  let shape: Dim[] | undefined;
  for (const v of readFields(buf, f.dataStart, f.end)) {
    if (v.no === 1 && v.wire === LEN) name = fieldString(buf, v);
    else if (v.no === 2 && v.wire === LEN) {
      for (const t of readFields(buf, v.dataStart, v.end)) {
        if (t.no !== 1 || t.wire !== LEN) continue; // tensor_type
        for (const tt of readFields(buf, t.dataStart, t.end)) {
          if (tt.no === 1 && tt.wire === VARINT) elemType = tt.value;
          else if (tt.no === 2 && tt.wire === LEN) {
            shape = [];
            for (const d of readFields(buf, tt.dataStart, tt.end)) {
              if (d.no !== 1) continue;
              let dim: Dim = null;
              for (const dv of readFields(buf, d.dataStart, d.end)) {
                if (dv.no === 1 && dv.wire === VARINT) dim = dv.value;
                else if (dv.no === 2 && dv.wire === LEN) dim = fieldString(buf, dv);
              }
              shape.push(dim);
            }
          }
        }
      }
    }
  }
  return { name, elemType, shape };
}

function readTensorInfo(buf: Uint8Array, f: Field): ValueInfo {
  let name = '';
  let elemType: number | undefined;
  const dims: number[] = [];
  for (const v of readFields(buf, f.dataStart, f.end)) {
    if (v.no === 8 && v.wire === LEN) name = fieldString(buf, v);
    else if (v.no === 2 && v.wire === VARINT) elemType = v.value;
    else if (v.no === 1) readPackedVarints(buf, v, dims);
  }
  return { name, elemType, shape: dims };
}

/** Every name a subgraph's nodes read that the subgraph itself does not define. */
function outerNamesOfGraph(buf: Uint8Array, f: Field, out: Set<string>): void {
  const defined = new Set<string>();
  const used: string[] = [];
  for (const g of readFields(buf, f.dataStart, f.end)) {
    if (g.no === GRAPH_INPUT || g.no === GRAPH_INITIALIZER) {
      const info = g.no === GRAPH_INPUT ? readValueInfo(buf, g) : readTensorInfo(buf, g);
      defined.add(info.name);
    } else if (g.no === GRAPH_NODE) {
      const node = readNode(buf, g);
      for (const o of node.outputs) defined.add(o);
      used.push(...node.inputs, ...node.outerNames);
    } else if (g.no === GRAPH_OUTPUT) {
      used.push(readValueInfo(buf, g).name);
    }
  }
  for (const name of used) if (name && !defined.has(name)) out.add(name);
}

function readNode(buf: Uint8Array, f: Field): NodeInfo {
  let name = '';
  let opType = '';
  let domain = '';
  const inputs: string[] = [];
  const outputs: string[] = [];
  const intAttrs: Record<string, number> = {};
  const outer = new Set<string>();
  for (const v of readFields(buf, f.dataStart, f.end)) {
    if (v.wire !== LEN) continue;
    switch (v.no) {
      case NODE_INPUT:
        inputs.push(fieldString(buf, v));
        break;
      case NODE_OUTPUT:
        outputs.push(fieldString(buf, v));
        break;
      case NODE_NAME:
        name = fieldString(buf, v);
        break;
      case NODE_OP:
        opType = fieldString(buf, v);
        break;
      case NODE_DOMAIN:
        domain = fieldString(buf, v);
        break;
      case NODE_ATTR: {
        let attrName = '';
        let i: number | undefined;
        let type = 0;
        const subgraphs: Field[] = [];
        for (const a of readFields(buf, v.dataStart, v.end)) {
          if (a.no === ATTR_NAME && a.wire === LEN) attrName = fieldString(buf, a);
          else if (a.no === ATTR_I && a.wire === VARINT) i = a.value;
          else if (a.no === ATTR_TYPE && a.wire === VARINT) type = a.value;
          else if ((a.no === ATTR_G || a.no === ATTR_GRAPHS) && a.wire === LEN) subgraphs.push(a);
        }
        if (i !== undefined && (type === 2 || type === 0)) intAttrs[attrName] = i;
        for (const g of subgraphs) outerNamesOfGraph(buf, g, outer);
        break;
      }
    }
  }
  return { name, opType, domain, inputs, outputs, intAttrs, outerNames: [...outer] };
}

function graphField(buf: Uint8Array): { fields: Field[]; graph: Field } {
  const fields = readFields(buf);
  const graph = fields.find((f) => f.no === MODEL_GRAPH && f.wire === LEN);
  if (!graph) throw new LabelkitError('E_MODEL', 'The ONNX model has no graph. Check that the file is a complete .onnx model.');
  return { fields, graph };
}

/** Lists a model's inputs, outputs, nodes and typed tensors without running it. */
export function inspectModel(bytes: Uint8Array): ModelInfo {
  const { fields, graph } = graphField(bytes);
  let irVersion = 0;
  let producer = '';
  const opsets: { domain: string; version: number }[] = [];
  for (const f of fields) {
    if (f.no === MODEL_IR_VERSION && f.wire === VARINT) irVersion = f.value;
    else if (f.no === MODEL_PRODUCER && f.wire === LEN) producer = fieldString(bytes, f);
    else if (f.no === MODEL_OPSET && f.wire === LEN) {
      let domain = '';
      let version = 0;
      for (const o of readFields(bytes, f.dataStart, f.end)) {
        if (o.no === 1 && o.wire === LEN) domain = fieldString(bytes, o);
        else if (o.no === 2 && o.wire === VARINT) version = o.value;
      }
      opsets.push({ domain, version });
    }
  }
  const inputs: ValueInfo[] = [];
  const outputs: ValueInfo[] = [];
  const valueInfo: ValueInfo[] = [];
  const initializers: ValueInfo[] = [];
  const nodes: NodeInfo[] = [];
  for (const g of readFields(bytes, graph.dataStart, graph.end)) {
    if (g.wire !== LEN) continue;
    if (g.no === GRAPH_NODE) nodes.push(readNode(bytes, g));
    else if (g.no === GRAPH_INPUT) inputs.push(readValueInfo(bytes, g));
    else if (g.no === GRAPH_OUTPUT) outputs.push(readValueInfo(bytes, g));
    else if (g.no === GRAPH_VALUE_INFO) valueInfo.push(readValueInfo(bytes, g));
    else if (g.no === GRAPH_INITIALIZER) initializers.push(readTensorInfo(bytes, g));
  }
  // Initializers listed as inputs (older IR versions) are not real inputs.
  const init = new Set(initializers.map((i) => i.name));
  return { irVersion, producer, opsets, inputs: inputs.filter((i) => !init.has(i.name)), outputs, valueInfo, initializers, nodes };
}

/** Ops whose (first) output is int64 whatever their inputs are. */
const INT64_OPS = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero', 'NonMaxSuppression']);
const BOOL_OPS = new Set(['Equal', 'Greater', 'Less', 'GreaterOrEqual', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor', 'IsNaN', 'IsInf']);

/**
 * The element type of tensor `name`: from the graph's declarations when present, else inferred
 * from the op that produces it (Cast's `to`, int64 index ops, comparisons, or its first input).
 */
export function tensorElemType(info: ModelInfo, name: string): number | undefined {
  const declared = new Map<string, number>();
  for (const list of [info.inputs, info.outputs, info.valueInfo, info.initializers]) {
    for (const v of list) if (v.elemType) declared.set(v.name, v.elemType);
  }
  const producer = new Map<string, { node: NodeInfo; index: number }>();
  for (const node of info.nodes) node.outputs.forEach((o, index) => producer.set(o, { node, index }));
  const seen = new Set<string>();
  const infer = (n: string): number | undefined => {
    const d = declared.get(n);
    if (d) return d;
    if (seen.has(n)) return undefined;
    seen.add(n);
    const p = producer.get(n);
    if (!p) return undefined;
    const { node, index } = p;
    if (node.opType === 'Cast' && node.intAttrs.to) return node.intAttrs.to;
    if (INT64_OPS.has(node.opType) || (node.opType === 'TopK' && index === 1)) return ElemType.INT64;
    if (BOOL_OPS.has(node.opType)) return ElemType.BOOL;
    if (node.opType === 'Where') return infer(node.inputs[1]);
    for (const input of node.inputs) {
      if (!input) continue;
      const t = infer(input);
      if (t) return t;
    }
    return undefined;
  };
  return infer(name);
}

/** One tensor to expose as a graph output. */
export interface CutOutput {
  /** Name of an intermediate tensor (a node output) of the graph. */
  readonly tensor: string;
  /**
   * 'avg' appends a GlobalAveragePool and a Flatten, so an [N, C, H, W] feature map comes out as an
   * [N, C] vector (an embedding); 'none' (default) exposes the tensor as it is.
   */
  readonly pool?: 'avg' | 'none';
  /** Element type (ElemType); inferred from the graph when left out. */
  readonly elemType?: number;
}

export interface CutOptions {
  readonly outputs: readonly CutOutput[];
  /**
   * Keep the model's own outputs beside the new ones (default false). Without them the graph is
   * truncated: nodes and initializers the new outputs do not need are removed, like cutting a
   * network at its embedding layer.
   */
  readonly keepOriginalOutputs?: boolean;
}

export interface CutResult {
  readonly bytes: Uint8Array;
  /** Graph output names of the cut model, in order; the exposed tensors come last. */
  readonly outputNames: readonly string[];
  /** The output name each requested tensor is read from (the pooled name when pooled). */
  readonly exposed: readonly string[];
  readonly removedNodes: number;
}

function writeValueInfo(w: Writer, no: number, name: string, elemType: number, shape?: readonly Dim[]): void {
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

function writeNode(w: Writer, node: NodeSpec): void {
  w.message(GRAPH_NODE, (n) => {
    for (const i of node.inputs) n.stringField(NODE_INPUT, i);
    for (const o of node.outputs) n.stringField(NODE_OUTPUT, o);
    n.stringField(NODE_NAME, node.name ?? `${node.op}_${node.outputs[0]}`);
    n.stringField(NODE_OP, node.op);
    for (const [name, value] of Object.entries(node.attrs ?? {})) {
      n.message(NODE_ATTR, (a) => {
        a.stringField(ATTR_NAME, name);
        if (typeof value === 'number') a.varintField(ATTR_I, value).varintField(ATTR_TYPE, 2);
        else if (typeof value === 'string') a.stringField(4, value).varintField(ATTR_TYPE, 3);
        else a.packedVarints(8, value).varintField(ATTR_TYPE, 7);
      });
    }
    for (const [name, value] of Object.entries(node.floatAttrs ?? {})) {
      n.message(NODE_ATTR, (a) => a.stringField(ATTR_NAME, name).floatField(2, value).varintField(ATTR_TYPE, 1));
    }
  });
}

/**
 * Exposes intermediate tensors of a model as graph outputs and serializes the model back. This is
 * how a classifier's or detector's backbone becomes a featurizer: name the tensor before the head
 * (for mnist, the flattened 256-wide tensor before the last MatMul; for a detector, a backbone
 * feature map with `pool: 'avg'`).
 */
export function cutModel(bytes: Uint8Array, options: CutOptions): CutResult {
  if (!options.outputs.length) throw new LabelkitError('E_INVALID_ARGUMENT', 'cutModel needs at least one tensor to expose.');
  const info = inspectModel(bytes);
  const known = new Set<string>();
  for (const n of info.nodes) for (const o of n.outputs) known.add(o);
  for (const i of info.inputs) known.add(i.name);
  const newOutputs: { name: string; elemType: number; shape?: Dim[] }[] = [];
  const extraNodes: NodeSpec[] = [];
  const exposed: string[] = [];
  for (const out of options.outputs) {
    if (!known.has(out.tensor)) {
      const sample = info.nodes
        .slice(-8)
        .flatMap((n) => n.outputs)
        .join(', ');
      throw new LabelkitError('E_MODEL', `The model has no tensor named "${out.tensor}". Use inspectModel() to list node outputs (the last ones are: ${sample}).`, {
        tensor: out.tensor,
      });
    }
    const elemType = out.elemType ?? tensorElemType(info, out.tensor) ?? ElemType.FLOAT;
    if (out.pool === 'avg') {
      const pooled = `${out.tensor}/labelkit_gap`;
      const flat = `${out.tensor}/labelkit_embedding`;
      extraNodes.push({ op: 'GlobalAveragePool', inputs: [out.tensor], outputs: [pooled] });
      extraNodes.push({ op: 'Flatten', inputs: [pooled], outputs: [flat], attrs: { axis: 1 } });
      newOutputs.push({ name: flat, elemType });
      exposed.push(flat);
    } else {
      newOutputs.push({ name: out.tensor, elemType });
      exposed.push(out.tensor);
    }
  }
  const keepOld = options.keepOriginalOutputs ?? false;
  // Which nodes the kept outputs need: walk back from them.
  const needed = new Set<string>(exposed);
  if (keepOld) for (const o of info.outputs) needed.add(o.name);
  for (const n of extraNodes) for (const i of n.inputs) needed.add(i);
  const keepNode = new Array<boolean>(info.nodes.length).fill(false);
  for (let i = info.nodes.length - 1; i >= 0; i--) {
    const node = info.nodes[i];
    if (!node.outputs.some((o) => needed.has(o))) continue;
    keepNode[i] = true;
    for (const input of node.inputs) if (input) needed.add(input);
    for (const name of node.outerNames) needed.add(name);
  }
  // Nodes are topologically sorted in a valid ONNX graph, so one backward pass suffices; a second
  // pass catches graphs that are not sorted.
  for (let changed = true; changed;) {
    changed = false;
    info.nodes.forEach((node, i) => {
      if (keepNode[i] || !node.outputs.some((o) => needed.has(o))) return;
      keepNode[i] = true;
      changed = true;
      for (const input of node.inputs) if (input) needed.add(input);
      for (const name of node.outerNames) needed.add(name);
    });
  }

  const { fields, graph } = graphField(bytes);
  const g = new Writer();
  let nodeIndex = 0;
  let removedNodes = 0;
  const outputNames: string[] = [];
  const producedOrInput = new Set<string>();
  for (const f of readFields(bytes, graph.dataStart, graph.end)) {
    const raw = bytes.subarray(f.start, f.end);
    if (f.no === GRAPH_NODE && f.wire === LEN) {
      if (keepNode[nodeIndex++]) g.raw(raw);
      else removedNodes++;
    } else if (f.no === GRAPH_INITIALIZER && f.wire === LEN) {
      if (needed.has(readTensorInfo(bytes, f).name)) g.raw(raw);
    } else if (f.no === GRAPH_INPUT && f.wire === LEN) {
      const name = readValueInfo(bytes, f).name;
      // Initializers listed as inputs go with their initializer; real inputs always stay.
      if (needed.has(name) || !info.initializers.some((i) => i.name === name)) {
        g.raw(raw);
        producedOrInput.add(name);
      }
    } else if (f.no === GRAPH_OUTPUT && f.wire === LEN) {
      if (!keepOld) continue;
      g.raw(raw);
      outputNames.push(readValueInfo(bytes, f).name);
    } else if (f.no === GRAPH_VALUE_INFO && f.wire === LEN) {
      if (needed.has(readValueInfo(bytes, f).name)) g.raw(raw);
    } else {
      g.raw(raw);
    }
  }
  for (const n of extraNodes) writeNode(g, n);
  for (const o of newOutputs) {
    if (outputNames.includes(o.name)) continue;
    writeValueInfo(g, GRAPH_OUTPUT, o.name, o.elemType, o.shape);
    outputNames.push(o.name);
  }
  const m = new Writer();
  for (const f of fields) {
    if (f === graph) m.bytesField(MODEL_GRAPH, g.finish());
    else m.raw(bytes.subarray(f.start, f.end));
  }
  return { bytes: m.finish(), outputNames, exposed, removedNodes };
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
    g.message(GRAPH_INITIALIZER, (t) => {
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
  for (const i of spec.inputs) writeValueInfo(g, GRAPH_INPUT, i.name, i.elemType ?? ElemType.FLOAT, i.shape);
  for (const o of spec.outputs) writeValueInfo(g, GRAPH_OUTPUT, o.name, o.elemType ?? ElemType.FLOAT, o.shape);
  const m = new Writer();
  m.varintField(MODEL_IR_VERSION, 8);
  m.stringField(MODEL_PRODUCER, 'labelkit');
  m.bytesField(MODEL_GRAPH, g.finish());
  m.message(MODEL_OPSET, (o) => o.stringField(1, '').varintField(2, spec.opset ?? 13));
  return m.finish();
}
