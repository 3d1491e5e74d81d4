// Reading and rewriting ONNX ModelProto bytes: list a graph's tensors, expose an intermediate tensor
// as a graph output (optionally pooled to a vector), drop what the new outputs do not need, and
// build small graphs from scratch. Field numbers follow onnx/onnx.proto.
import { LabelkitError } from '@labelkit/core';
import { type NodeSpec, writeNode, writeValueInfo } from './build.js';
import * as F from './fields.js';
import { type Dim, ElemType, graphField, inspectModel, readTensorInfo, readValueInfo, tensorElemType } from './inspect.js';
import { LEN, Writer, readFields } from './wire.js';

export { buildModel, type GraphSpec, type InitializerSpec, type NodeSpec } from './build.js';
export { type Dim, ElemType, elemTypeName, inspectModel, type ModelInfo, type NodeInfo, tensorElemType, type ValueInfo } from './inspect.js';

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
    const node = info.nodes[i]!;
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
    if (f.no === F.GRAPH_NODE && f.wire === LEN) {
      if (keepNode[nodeIndex++]) g.raw(raw);
      else removedNodes++;
    } else if (f.no === F.GRAPH_INITIALIZER && f.wire === LEN) {
      if (needed.has(readTensorInfo(bytes, f).name)) g.raw(raw);
    } else if (f.no === F.GRAPH_INPUT && f.wire === LEN) {
      const name = readValueInfo(bytes, f).name;
      // Initializers listed as inputs go with their initializer; real inputs always stay.
      if (needed.has(name) || !info.initializers.some((i) => i.name === name)) {
        g.raw(raw);
        producedOrInput.add(name);
      }
    } else if (f.no === F.GRAPH_OUTPUT && f.wire === LEN) {
      if (!keepOld) continue;
      g.raw(raw);
      outputNames.push(readValueInfo(bytes, f).name);
    } else if (f.no === F.GRAPH_VALUE_INFO && f.wire === LEN) {
      if (needed.has(readValueInfo(bytes, f).name)) g.raw(raw);
    } else {
      g.raw(raw);
    }
  }
  for (const n of extraNodes) writeNode(g, n);
  for (const o of newOutputs) {
    if (outputNames.includes(o.name)) continue;
    writeValueInfo(g, F.GRAPH_OUTPUT, o.name, o.elemType, o.shape);
    outputNames.push(o.name);
  }
  const m = new Writer();
  for (const f of fields) {
    if (f === graph) m.bytesField(F.MODEL_GRAPH, g.finish());
    else m.raw(bytes.subarray(f.start, f.end));
  }
  return { bytes: m.finish(), outputNames, exposed, removedNodes };
}
