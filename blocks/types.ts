/**
 * The vocabulary every block definition is written in. Pure data and pure functions:
 * no React, no runtime. The editor (palette, handles, inspector, connection rules) and the
 * runtime (shape inference, lowering to ops, gradients) both read these definitions.
 */
import type { OpBuilder, Sym } from './ops.ts';

/** Element type of a value carried on a wire: real numbers or integer ids (tokens). */
export type DType = 'float' | 'int';

/**
 * What flows along one wire for ONE example. The batch dimension is implicit and never written.
 *
 * - a per-step vector of 64 floats: `{ dtype: 'float', shape: [64] }`
 * - a per-step token id below 12: `{ dtype: 'int', shape: [], vocab: 12 }`
 * - a bag of 6 token ids (a sentence for a memory network): `{ dtype: 'int', shape: [6], vocab: 40 }`
 * - a scalar (a loss): `{ dtype: 'float', shape: [] }`
 * - a whole sequence of vectors along time axis `src`: `{ seq: 'src', dtype: 'float', shape: [64] }`
 */
export interface ValueType {
  /** Time-axis id when the value is a whole sequence; absent for a single (per-step) value. */
  readonly seq?: string;
  readonly dtype: DType;
  /** Dims of one element (one time step of one example). */
  readonly shape: readonly number[];
  /** For `dtype: 'int'`: every id lies in `[0, vocab)`. */
  readonly vocab?: number;
}

/**
 * The kind of one element a port takes, independent of sizes.
 * - `vector`: float `[n]`; `matrix`: float `[m, n]`; `scalar`: float `[]`
 * - `tokens`: int `[]`; `bag`: int `[w]` (several ids of one item)
 */
export type ElementKind = 'vector' | 'matrix' | 'scalar' | 'tokens' | 'bag';

/** One accepted form at an input port: an element kind, as a single value or as a whole sequence. */
export interface PortAccept {
  readonly kind: ElementKind;
  /** `true`: the port takes the whole sequence (attention keys); `false`: one element per step. */
  readonly seq: boolean;
}

/** An input port. A port takes at most one wire. */
export interface InputPortDef {
  readonly name: string;
  readonly doc: string;
  /** Forms this port takes. A sequence arriving at a port that takes its element, inside a loop over
   *  that sequence's axis, is sliced: step t sees element t. */
  readonly accepts: readonly PortAccept[];
  /** An optional port may stay unconnected. */
  readonly optional?: boolean;
}

/** An output port; its type comes from the block's shape rule. */
export interface OutputPortDef {
  readonly name: string;
  readonly doc: string;
}

/** A hyper-parameter with its default and the values it may take. */
export type ParamDef =
  | { readonly kind: 'int'; readonly doc: string; readonly default: number; readonly min: number; readonly max: number }
  /** An integer with no default: absent means "infer it" (e.g. a delay's size). */
  | { readonly kind: 'optionalInt'; readonly doc: string; readonly min: number; readonly max: number }
  | { readonly kind: 'number'; readonly doc: string; readonly default: number; readonly min: number; readonly max: number }
  | { readonly kind: 'bool'; readonly doc: string; readonly default: boolean }
  | { readonly kind: 'enum'; readonly doc: string; readonly values: readonly string[]; readonly default: string }
  /**
   * The id of another node of the graph, or absent. With `ties`, naming a node makes this node
   * read that node's weights of these names instead of owning its own (weight tying, e.g. MemN2N's
   * adjacent tying): validation checks that the named node owns them in the same shape.
   */
  | { readonly kind: 'nodeRef'; readonly doc: string; readonly ties?: readonly string[] };

/** The TypeScript value a ParamDef resolves to (after defaults are applied). */
export type ParamValue<D extends ParamDef> = D extends { kind: 'int' | 'number' }
  ? number
  : D extends { kind: 'optionalInt' }
    ? number | undefined
    : D extends { kind: 'bool' }
      ? boolean
      : D extends { kind: 'enum'; values: readonly (infer V)[] }
        ? V
        : D extends { kind: 'nodeRef' }
          ? string | undefined
          : never;

export type ParamSchema = Readonly<Record<string, ParamDef>>;
export type ParamsOf<S extends ParamSchema> = { readonly [K in keyof S]: ParamValue<S[K]> };

/** How a weight tensor is initialised. Bounds are absolute values, not scales. */
export type Init =
  | { readonly kind: 'zeros' }
  | { readonly kind: 'constant'; readonly value: number }
  /** U(-bound, bound); PyTorch's default for recurrent cells uses bound = 1/√hidden. */
  | { readonly kind: 'uniform'; readonly bound: number }
  | { readonly kind: 'normal'; readonly std: number }
  /** Glorot (Xavier) uniform: bound √(6 / (fanIn + fanOut)) with fanOut = shape[0], fanIn = the rest. */
  | { readonly kind: 'glorot' }
  /** Each `[rows, cols]` block of `blocks` stacked blocks (one per gate) is an orthogonal matrix times gain. */
  | { readonly kind: 'orthogonal'; readonly gain: number; readonly blocks: number }
  /** Each stacked block is `scale · I` (IRNN). */
  | { readonly kind: 'identity'; readonly scale: number; readonly blocks: number }
  /** Row ranges of the first axis initialised differently (e.g. the LSTM forget-gate bias). */
  | { readonly kind: 'rows'; readonly parts: readonly { readonly rows: number; readonly init: Init }[] };

/** A trainable tensor of a block. Stored as `<nodeId>.<name>` in safetensors, float32, row-major. */
export interface WeightDef {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Init;
  readonly doc: string;
}

/** Types at the connected input ports of one node, keyed by port name (unconnected ports absent).
 *  Inside a loop a sliced sequence appears here as its element type. */
export type PortTypes = Readonly<Record<string, ValueType>>;

/**
 * A node of a composite's inner graph. Composites are read-only pictures of a cell wired from
 * primitive blocks; the runtime computes the same numbers from the fused definition or from them.
 */
export interface CompositeNode {
  readonly id: string;
  readonly type: string;
  readonly params: Readonly<Record<string, number | string | boolean>>;
}

/** A cell drawn from primitive blocks. */
export interface CompositeDef {
  readonly nodes: readonly CompositeNode[];
  /** Inner wires, `"node.port"` to `"node.port"`. */
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  /** Each outer input port feeds these inner `"node.port"`s. */
  readonly inputs: Readonly<Record<string, readonly string[]>>;
  /** Each outer output port is this inner `"node.port"`. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Each inner weight (`"node.weight"`) is rows `[start, end)` of the first axis of an outer weight. */
  readonly weights: readonly { readonly inner: string; readonly outer: string; readonly rows: readonly [number, number] }[];
}

/** Palette groups. */
export type BlockCategory = 'sources' | 'encdec' | 'recurrent' | 'elementwise' | 'attention' | 'loss';

/**
 * The one definition of a block type.
 *
 * Shape rules and forward definitions never see loops: inside a loop they get per-step element
 * types; ports that accept `seq: true` get whole sequences. They throw `ShapeIssue` (see
 * `shape.ts`) to refuse their inputs; that is turned into a catalogue error by validation.
 */
export interface BlockDef<P = Readonly<Record<string, unknown>>> {
  readonly type: string;
  readonly title: string;
  readonly category: BlockCategory;
  /** One or two sentences for the palette and the inspector. */
  readonly doc: string;
  readonly inputs: readonly InputPortDef[];
  readonly outputs: readonly OutputPortDef[];
  readonly params: ParamSchema;
  /** Types some input ports must have given the params alone (e.g. an LSTM's `h_prev` is `[hidden]`).
   *  Used to infer a delay's size from its consumers and to refuse connections while dragging. */
  expects?(params: P): Readonly<Record<string, ValueType>>;
  /** Output types from input types. Throws `ShapeIssue` on a mismatch. */
  shape(ins: PortTypes, params: P): Readonly<Record<string, ValueType>>;
  /** Trainable tensors, given the (already shape-checked) input types. */
  weights(ins: PortTypes, params: P): readonly WeightDef[];
  /**
   * The forward computation in primitive ops, for concrete shapes (a sequence input arrives as
   * `[T, ...element]`). Returns one symbol per output port.
   */
  forward(
    g: OpBuilder,
    ins: Readonly<Record<string, Sym>>,
    w: Readonly<Record<string, Sym>>,
    params: P,
    masks?: SequenceMasks,
  ): Readonly<Record<string, Sym>>;
  /** Gated cells only: the same cell wired from primitive blocks. */
  composite?(ins: PortTypes, params: P): CompositeDef;
}

/**
 * For ports that take whole sequences (attention keys, a memory's story) in a padded batch: per
 * port, a `[T]` value that is 1 at each example's real positions and 0 at padding. Absent when
 * nothing is padded. Blocks that reduce over a sequence must ignore padded positions.
 */
export type SequenceMasks = Readonly<Record<string, Sym>>;

/** A block definition whose params type is erased, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyBlockDef = BlockDef<any>;

/** Build a block definition with its params type inferred from its param schema. */
export function defineBlock<const S extends ParamSchema>(
  def: Omit<BlockDef<ParamsOf<S>>, 'params'> & { readonly params: S },
): BlockDef<ParamsOf<S>> {
  return def;
}
