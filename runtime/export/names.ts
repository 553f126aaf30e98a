/**
 * Python names for a graph's node ids, ports and weights. Node ids match `[A-Za-z_][A-Za-z0-9_-]*`
 * (a `-` is not a Python identifier character) and may equal a Python keyword or an attribute every
 * `torch.nn.Module` has (`to`, `type`, `training` …), so the generated code never writes an id
 * straight into Python: it goes through these functions.
 */

const PY_KEYWORDS = new Set(
  (
    'False None True and as assert async await break class continue def del elif else except finally for from global if ' +
    'import in is lambda nonlocal not or pass raise return try while with yield match case type _'
  ).split(' '),
);

/**
 * Attributes of `torch.nn.Module` (PyTorch 1.13–2.x) and of the generated module itself. A node
 * id equal to one of these cannot be a sub-module name (`add_module` refuses it), so such a node's
 * sub-module is stored under a mangled name (see {@link moduleName}).
 */
export const TORCH_MODULE_ATTRIBUTES: ReadonlySet<string> = new Set(
  (
    'T_destination add_module apply bfloat16 buffers call_super_init children compile cpu cuda double dump_patches eval ' +
    'extra_repr float forward get_buffer get_extra_state get_parameter get_submodule half ipu load_state_dict modules mtia ' +
    'named_buffers named_children named_modules named_parameters parameters register_backward_hook register_buffer ' +
    'register_forward_hook register_forward_pre_hook register_full_backward_hook register_full_backward_pre_hook ' +
    'register_load_state_dict_post_hook register_load_state_dict_pre_hook register_module register_parameter ' +
    'register_state_dict_post_hook register_state_dict_pre_hook requires_grad_ set_extra_state set_submodule share_memory ' +
    'state_dict to to_empty train training type xpu zero_grad ' +
    // the generated module's own names
    'loss lengths outputs'
  ).split(' '),
);

/** A Python identifier for `name`: `-` becomes `_`, a keyword gets a trailing `_`. */
export function pyIdent(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, '_');
  if (!/^[A-Za-z_]/.test(s)) s = `_${s}`;
  if (PY_KEYWORDS.has(s)) s = `${s}_`;
  return s;
}

/**
 * The sub-module name that holds node `id`'s weights: the id itself, so that state-dict keys are
 * `<id>.<weight>` exactly as in Unroll's safetensors files; or, for an id that is an attribute of
 * `nn.Module` or starts with `_`, `unroll_<id>`, which the generated module maps back to `<id>` in
 * `state_dict()` and `load_state_dict()` (hooks written only when some id needed it).
 */
export function moduleName(id: string): string {
  return TORCH_MODULE_ATTRIBUTES.has(id) || id.startsWith('_') ? `unroll_${id}` : id;
}

/** Gives every key a distinct Python identifier (`a-b` and `a_b` both want `a_b`). */
export class NameTable {
  private readonly used = new Set<string>();
  private readonly byKey = new Map<string, string>();

  constructor(reserved: Iterable<string> = []) {
    for (const r of reserved) this.used.add(r);
  }

  /** The name of `key`, made from `hint` the first time it is asked for. */
  name(key: string, hint: string = key): string {
    const hit = this.byKey.get(key);
    if (hit !== undefined) return hit;
    const base = pyIdent(hint);
    let n = base;
    for (let i = 2; this.used.has(n); i++) n = `${base}_${i}`;
    this.used.add(n);
    this.byKey.set(key, n);
    return n;
  }
}

/** A Python string literal. */
export const pyString = (s: string): string => JSON.stringify(s);

/** A Python float literal that reads back as the same double (`1.0`, not `1`). */
export function pyFloat(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`pyFloat: ${v} is not finite`);
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}
