/**
 * The numbered catalogue of every error Unroll reports about a user's graph or command.
 * Errors are data: a code from here, a message that names the thing at fault, and where it is
 * (JSON path, node ids, ports, edge indices). Nothing in the runtime throws at a user.
 */

export const CATALOGUE = {
  // Reading a document (parse)
  E100: { name: 'file-too-large', title: 'The file is larger than Unroll reads' },
  E101: { name: 'invalid-json', title: 'The file is not valid JSON' },
  E102: { name: 'too-deep', title: 'The JSON nests deeper than a graph ever does' },
  E103: { name: 'forbidden-key', title: 'A key that could alter object prototypes' },
  E104: { name: 'non-finite-number', title: 'A number that is infinite or not a number' },
  E105: { name: 'unknown-key', title: 'A key the format does not have' },
  E106: { name: 'wrong-type', title: 'A value of the wrong type' },
  E107: { name: 'missing-key', title: 'A required key is missing' },
  E108: { name: 'not-a-graph', title: 'The document is not an Unroll graph' },
  E109: { name: 'newer-version', title: 'Made by a newer version of Unroll' },
  E110: { name: 'bad-version', title: 'A version this build cannot read' },
  E111: { name: 'bad-id', title: 'An id that breaks the id pattern' },
  E112: { name: 'duplicate-id', title: 'Two nodes or loops share an id' },
  E113: { name: 'unknown-block', title: 'A block type the registry does not have' },
  E114: { name: 'unknown-param', title: 'A param the block does not have' },
  E115: { name: 'bad-param', title: 'A param value outside its type, range or choices' },
  E116: { name: 'bad-endpoint', title: 'An edge end that is not "node.port"' },
  E117: { name: 'missing-node', title: 'An edge or reference names a node that does not exist' },
  E118: { name: 'missing-port', title: 'An edge names a port the block does not have' },
  E119: { name: 'too-many', title: 'More nodes, edges or loops than a graph may have' },
  E120: { name: 'missing-loop', title: 'A node names a loop that does not exist' },
  E121: { name: 'bad-loop', title: 'A loop must give exactly one of over and steps' },
  E122: { name: 'too-long', title: 'A string longer than allowed' },
  E123: { name: 'migration-failed', title: 'An older file could not be brought up to date' },
  E124: { name: 'duplicate-key', title: 'A key written twice in one object' },
  E125: { name: 'unreadable-file', title: 'A file that cannot be read (missing, a folder, no permission)' },

  // Checking a graph (validate)
  E200: { name: 'shape-mismatch', title: 'Shapes that do not fit' },
  E201: { name: 'wrong-kind', title: 'A port given the wrong kind of value' },
  E202: { name: 'delay-free-cycle', title: 'A cycle that passes through no delay' },
  E203: { name: 'unconnected-input', title: 'A required input is not connected' },
  E204: { name: 'several-wires', title: 'An input port with more than one wire' },
  E205: { name: 'no-loss', title: 'A graph to train has no loss' },
  E206: { name: 'bad-loop-over', title: 'A loop runs over something that is not a sequence source' },
  E207: { name: 'slice-axis', title: 'A sequence entering a loop that runs over another sequence' },
  E208: { name: 'stray-take', title: '`take` on an edge that leaves no loop' },
  E209: { name: 'delay-outside-loop', title: 'A delay outside every loop' },
  E210: { name: 'delay-across-loops', title: 'A delay fed from another loop' },
  E211: { name: 'delay-size-unknown', title: 'The size of a delay cannot be inferred' },
  E212: { name: 'loop-cycle', title: 'Loops that depend on each other' },
  E213: { name: 'sequence-outside-loop', title: 'A sequence reaches a port that takes one step outside any loop' },
  E214: { name: 'model-too-large', title: 'More parameters than Unroll allocates' },
  E215: { name: 'bad-reference', title: 'A param names a node of the wrong kind' },
  E216: { name: 'outside-loop-only', title: 'A source or a loss inside a loop' },
  E217: { name: 'empty-loop', title: 'A loop with no nodes' },
  E218: { name: 'unused-node', title: 'A node whose outputs feed nothing (a warning)' },
  E219: { name: 'internal-error', title: 'A block rule failed unexpectedly: a bug in Unroll, please report it' },
  E220: { name: 'ignored-param', title: 'A param that has no effect' },
  E221: { name: 'target-leak', title: 'A target fed to something other than a loss’s target port (a warning)' },
  E230: { name: 'share-no-weight', title: 'A `share` that names the node itself or a node without that weight' },
  E231: { name: 'share-shape-mismatch', title: 'A `share` whose weight has another shape than the node’s own would' },
  E232: { name: 'share-chain', title: 'A `share` that names a node which itself shares: name the owner' },

  // Unrolling for concrete lengths (unroll)
  E300: { name: 'missing-length', title: 'No length given for a sequence' },
  E301: { name: 'bad-length', title: 'A length outside the allowed range' },
  E302: { name: 'unrolled-too-large', title: 'The unrolled graph would be too large' },
  E303: { name: 'invalid-graph', title: 'Only a valid graph can be unrolled' },
  E304: { name: 'unknown-axis', title: 'A length for an axis the graph does not take lengths for' },

  // Weights files (safetensors)
  E400: { name: 'weights-too-short', title: 'A weights file shorter than the 8 bytes that give its header length' },
  E401: { name: 'weights-header-truncated', title: 'A weights header that runs past the end of the file' },
  E402: { name: 'weights-too-large', title: 'A weights header or tensor larger than Unroll reads' },
  E403: { name: 'weights-not-utf8', title: 'A weights header that is not UTF-8 text' },
  E404: { name: 'weights-invalid-json', title: 'A weights header that is not valid JSON or repeats a key' },
  E405: { name: 'weights-not-object', title: 'A weights header that is not a JSON object starting with `{`' },
  E406: { name: 'weights-forbidden-key', title: 'A weights header key that could alter object prototypes' },
  E407: { name: 'weights-unknown-key', title: 'A tensor entry with a key safetensors does not have' },
  E408: { name: 'weights-missing-key', title: 'A tensor entry without its dtype, shape or data_offsets' },
  E409: { name: 'weights-wrong-type', title: 'A weights header value of the wrong type' },
  E410: { name: 'weights-unsupported-dtype', title: 'A tensor that is not float32 (F32)' },
  E411: { name: 'weights-bad-shape', title: 'A tensor shape entry that is not a non-negative integer' },
  E412: { name: 'weights-bad-offsets', title: 'data_offsets that are not [begin, end] with begin ≤ end' },
  E413: { name: 'weights-size-mismatch', title: 'A tensor whose byte size does not match its shape' },
  E414: { name: 'weights-past-end', title: 'Tensor data past the end of the file' },
  E415: { name: 'weights-overlap', title: 'Tensors whose data overlap' },
  E416: { name: 'weights-unused-bytes', title: 'Bytes of a weights file that belong to no tensor' },
  E417: { name: 'weight-missing', title: 'A weight the graph needs is not in the weights file' },
  E418: { name: 'weight-shape-mismatch', title: 'A weight whose shape in the file differs from the graph’s' },
  E419: { name: 'unexpected-weight', title: 'A tensor in the weights file that the graph has no weight for' },

  // Tasks and data
  E420: { name: 'unknown-task', title: 'A task the registry does not have' },
  E421: { name: 'unknown-task-param', title: 'A param the task does not have' },
  E422: { name: 'bad-task-param', title: 'A task param outside its type, range or choices, or at odds with another' },
  E423: { name: 'task-source-missing', title: 'A task stream the graph has no input or target for' },
  E424: { name: 'task-source-extra', title: 'An input or target the task has no stream for' },
  E425: { name: 'task-kind-mismatch', title: 'A source whose kind (tokens, vector) is not the task stream’s' },
  E426: { name: 'task-vocab-mismatch', title: 'A token source whose vocab is not the task stream’s' },
  E427: { name: 'task-size-mismatch', title: 'A vector source whose size is not the task stream’s' },
  E428: { name: 'task-sequence-mismatch', title: 'A source that is a sequence where the task stream is not, or the reverse' },
  E429: { name: 'task-axis-mismatch', title: 'Task sequences that the graph runs along different time axes' },

  // Training and evaluation
  E440: { name: 'no-task', title: 'Nothing to train on: the graph names no task' },
  E441: { name: 'not-trainable', title: 'A graph the trainer cannot run yet' },
  E442: { name: 'diverged', title: 'The loss or the gradients stopped being finite numbers' },
  E443: { name: 'bad-eval-input', title: 'An eval input file that does not fit the graph' },
  E444: { name: 'bad-weights-file', title: 'A weights file that cannot be read or written' },
  E445: { name: 'over-memory-budget', title: 'A run that would need more memory than its budget' },
  E446: { name: 'worker-failed', title: 'The training worker failed to start, died, or stopped answering' },
  E447: { name: 'training-state', title: 'A training command that does not fit the run’s state (step while running, start before load)' },
  E448: { name: 'bad-checkpoint', title: 'A checkpoint that does not belong to this graph and its settings, or is damaged' },
  E449: { name: 'gpu-over-limits', title: 'A WebGPU buffer larger than the adapter allows' },
  E450: { name: 'gpu-failed', title: 'The WebGPU backend failed: no adapter, a kernel the driver refused, out of GPU memory, or a lost device' },

  // Export to PyTorch and ONNX, and PyTorch weights (export)
  E460: { name: 'export-unsupported', title: 'A part of the graph that the export target (PyTorch or ONNX) has no form for' },
  E461: { name: 'export-length-dependent', title: 'A block that computes differently for each sequence length, which one PyTorch loop body cannot say' },
  E462: { name: 'bad-torch-weights', title: 'PyTorch RNN weights that do not fit a cell node (missing, extra, or of another shape)' },

  // Data files of a user's own (the dataset task: text and CSV readers)
  E480: { name: 'data-too-large', title: 'A data file larger than the budget Unroll reads' },
  E481: { name: 'data-empty', title: 'A data file with nothing to train on (no bytes, no text, or a header and no rows)' },
  E482: { name: 'data-not-utf8', title: 'A data file that is not UTF-8 text' },
  E483: { name: 'data-bad-csv', title: 'A CSV file that breaks its own format (an unclosed quote, text after a closing quote, a repeated column name)' },
  E484: { name: 'data-ragged-row', title: 'A CSV row with more or fewer fields than the header' },
  E485: { name: 'data-not-numeric', title: 'A value that is not a number where the column needs one (a feature, a numeric target or time)' },
  E486: { name: 'data-bad-mapping', title: 'A column mapping that names an unknown column, uses one twice, or cannot be inferred' },
  E487: { name: 'data-too-small', title: 'Too little data for the split or the sequence length asked for' },
  E488: { name: 'no-data-file', title: 'The dataset task without a data file, or a file whose reader cannot be told' },
} as const;

export type ErrorCode = keyof typeof CATALOGUE;

/** One problem found in a document or a command. */
export interface UnrollError {
  readonly code: ErrorCode;
  /** A sentence a user can act on; names nodes, ports, shapes and values. */
  readonly message: string;
  /** JSON path into the document, `$.nodes[3].params.hidden`; absent when no place in the file is at fault. */
  readonly path?: string;
  /** Node ids involved (a cycle lists its nodes in order). */
  readonly nodes?: readonly string[];
  /** `"node.port"`s involved. */
  readonly ports?: readonly string[];
  /** Indices into the document's `edges` involved. */
  readonly edges?: readonly number[];
}

/** Make a catalogue error. */
export function unrollError(
  code: ErrorCode,
  message: string,
  where: Omit<UnrollError, 'code' | 'message'> = {},
): UnrollError {
  return { code, message, ...where };
}

/** `E202 delay-free-cycle at $.edges[3]: …` — how the CLI prints one error. */
export function formatError(e: UnrollError): string {
  const where = e.path !== undefined ? ` at ${e.path}` : '';
  return `${e.code} ${CATALOGUE[e.code].name}${where}: ${e.message}`;
}

/** Either a value or the list of errors that prevented it. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly UnrollError[] };
