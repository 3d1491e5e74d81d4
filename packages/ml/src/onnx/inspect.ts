// Reading ONNX ModelProto bytes: a graph's inputs, outputs, nodes and typed tensors, without
// running it. Field numbers follow onnx/onnx.proto.
import { LabelkitError } from '@labelkit/core';
import * as F from './fields.js';
import { type Field, LEN, VARINT, fieldString, readFields, readPackedVarints } from './wire.js';

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

export function readValueInfo(buf: Uint8Array, f: Field): ValueInfo {
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

export function readTensorInfo(buf: Uint8Array, f: Field): ValueInfo {
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
    if (g.no === F.GRAPH_INPUT || g.no === F.GRAPH_INITIALIZER) {
      const info = g.no === F.GRAPH_INPUT ? readValueInfo(buf, g) : readTensorInfo(buf, g);
      defined.add(info.name);
    } else if (g.no === F.GRAPH_NODE) {
      const node = readNode(buf, g);
      for (const o of node.outputs) defined.add(o);
      used.push(...node.inputs, ...node.outerNames);
    } else if (g.no === F.GRAPH_OUTPUT) {
      used.push(readValueInfo(buf, g).name);
    }
  }
  for (const name of used) if (name && !defined.has(name)) out.add(name);
}

export function readNode(buf: Uint8Array, f: Field): NodeInfo {
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
      case F.NODE_INPUT:
        inputs.push(fieldString(buf, v));
        break;
      case F.NODE_OUTPUT:
        outputs.push(fieldString(buf, v));
        break;
      case F.NODE_NAME:
        name = fieldString(buf, v);
        break;
      case F.NODE_OP:
        opType = fieldString(buf, v);
        break;
      case F.NODE_DOMAIN:
        domain = fieldString(buf, v);
        break;
      case F.NODE_ATTR: {
        let attrName = '';
        let i: number | undefined;
        let type = 0;
        const subgraphs: Field[] = [];
        for (const a of readFields(buf, v.dataStart, v.end)) {
          if (a.no === F.ATTR_NAME && a.wire === LEN) attrName = fieldString(buf, a);
          else if (a.no === F.ATTR_I && a.wire === VARINT) i = a.value;
          else if (a.no === F.ATTR_TYPE && a.wire === VARINT) type = a.value;
          else if ((a.no === F.ATTR_G || a.no === F.ATTR_GRAPHS) && a.wire === LEN) subgraphs.push(a);
        }
        if (i !== undefined && (type === 2 || type === 0)) intAttrs[attrName] = i;
        for (const g of subgraphs) outerNamesOfGraph(buf, g, outer);
        break;
      }
    }
  }
  return { name, opType, domain, inputs, outputs, intAttrs, outerNames: [...outer] };
}

export function graphField(buf: Uint8Array): { fields: Field[]; graph: Field } {
  const fields = readFields(buf);
  const graph = fields.find((f) => f.no === F.MODEL_GRAPH && f.wire === LEN);
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
    if (f.no === F.MODEL_IR_VERSION && f.wire === VARINT) irVersion = f.value;
    else if (f.no === F.MODEL_PRODUCER && f.wire === LEN) producer = fieldString(bytes, f);
    else if (f.no === F.MODEL_OPSET && f.wire === LEN) {
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
    if (g.no === F.GRAPH_NODE) nodes.push(readNode(bytes, g));
    else if (g.no === F.GRAPH_INPUT) inputs.push(readValueInfo(bytes, g));
    else if (g.no === F.GRAPH_OUTPUT) outputs.push(readValueInfo(bytes, g));
    else if (g.no === F.GRAPH_VALUE_INFO) valueInfo.push(readValueInfo(bytes, g));
    else if (g.no === F.GRAPH_INITIALIZER) initializers.push(readTensorInfo(bytes, g));
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
    if (node.opType === 'Where') return node.inputs[1] ? infer(node.inputs[1]) : undefined;
    for (const input of node.inputs) {
      if (!input) continue;
      const t = infer(input);
      if (t) return t;
    }
    return undefined;
  };
  return infer(name);
}
