/** A block on the canvas: its name, type and key params, and one handle per port of its registry definition. */
import { memo } from 'react';
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { inHandle, outHandle, type BlockFlowNode, type PortView } from '../flow-model.ts';
import { renderStats } from '../render-stats.ts';
import { setView } from '../store.ts';

const PortRow = memo(function PortRow({ port, side }: { port: PortView; side: 'in' | 'out' }) {
  const kinds = port.kinds.map((k) => `kind-${k}`).join(' ');
  const label = `${side === 'in' ? 'input' : 'output'} ${port.name}: ${port.detail}${port.optional ? ' (optional)' : ''}`;
  return (
    <div className={`port port-${side}`} title={`${label}\n${port.doc}`}>
      <Handle
        type={side === 'in' ? 'target' : 'source'}
        position={side === 'in' ? Position.Left : Position.Right}
        id={side === 'in' ? inHandle(port.name) : outHandle(port.name)}
        className={`${kinds}${port.sequence ? ' takes-sequence' : ''}`}
        aria-label={label}
      />
      {port.name}
      {port.optional ? <span className="port-optional">?</span> : null}
    </div>
  );
});

/**
 * Custom React Flow node type `block`. Memoised: the canvas keeps a node's data object while the
 * node is unchanged, so an edit or a selection change redraws only the blocks it touches.
 */
export const BlockNode = memo(function BlockNode({ data, selected }: NodeProps<BlockFlowNode>) {
  renderStats.blockNode++;
  const classes = ['block-node', `cat-${data.category ?? 'unknown'}`, data.error ? 'has-error' : '', selected ? 'is-selected' : ''].filter(Boolean).join(' ');
  return (
    <div className={classes} title={`${data.title}: ${data.doc}`} data-testid={`node-${data.id}`}>
      <div className="block-head">
        <span className="block-id">
          {data.id}
          {data.composite ? (
            <button
              type="button"
              className="open-cell nodrag"
              aria-label={`Open ${data.id} to see its gates`}
              title="Open to see it wired from primitives (Enter)"
              onClick={() => setView({ composite: data.id })}
            >
              ⤢
            </button>
          ) : null}
        </span>
        <span className="block-type">
          {data.type}
          {data.summary ? ` · ${data.summary}` : ''}
        </span>
      </div>
      <div className="block-ports">
        <div>
          {data.inputs.map((p) => (
            <PortRow key={p.name} port={p} side="in" />
          ))}
        </div>
        <div>
          {data.outputs.map((p) => (
            <PortRow key={p.name} port={p} side="out" />
          ))}
        </div>
      </div>
    </div>
  );
});
