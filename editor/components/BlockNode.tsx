/** A block on the canvas: its id and type, and a handle for every port of its registry definition. */
import { Handle, Position, type NodeProps } from '@xyflow/react';
import { inHandle, outHandle, type BlockFlowNode, type PortView } from '../flow-model.ts';

function PortRow({ port, side }: { port: PortView; side: 'in' | 'out' }) {
  return (
    <div className={`port port-${side}`} title={port.doc}>
      <Handle
        type={side === 'in' ? 'target' : 'source'}
        position={side === 'in' ? Position.Left : Position.Right}
        id={side === 'in' ? inHandle(port.name) : outHandle(port.name)}
        isConnectable={false}
      />
      {port.name}
      {port.optional ? <span className="port-optional">?</span> : null}
    </div>
  );
}

/** Custom React Flow node type `block`. */
export function BlockNode({ data }: NodeProps<BlockFlowNode>) {
  const classes = ['block-node', `cat-${data.category ?? 'unknown'}`, data.error ? 'has-error' : ''].filter(Boolean).join(' ');
  return (
    <div className={classes} title={`${data.title}: ${data.doc}`} data-testid={`node-${data.id}`}>
      <div className="block-head">
        <span className="block-id">{data.id}</span>
        <span className="block-type">{data.type}</span>
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
}
