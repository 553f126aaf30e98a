/** Inside a GRU or LSTM: the same cell wired from primitive blocks, read-only, with a way back. */
import { useMemo } from 'react';
import { Background, Controls, Handle, Position, ReactFlow, ReactFlowProvider, type NodeProps, type NodeTypes } from '@xyflow/react';
import { buildCompositeFlow, type CompositeFlowNode, type TerminalData } from '../model/composite-flow.ts';
import { setView } from '../store.ts';
import { useEditor } from '../use-editor.ts';
import { BlockNode } from './BlockNode.tsx';
import type { Node } from '@xyflow/react';

function Terminal({ data }: NodeProps<Node<TerminalData, 'terminal'>>) {
  return (
    <div className={`terminal terminal-${data.side}`} data-testid={`terminal-${data.side}-${data.port}`}>
      {data.side === 'out' ? <Handle type="target" position={Position.Left} id="in" isConnectable={false} /> : null}
      {data.side === 'in' ? `${data.port} →` : `→ ${data.port}`}
      {data.side === 'in' ? <Handle type="source" position={Position.Right} id="out" isConnectable={false} /> : null}
    </div>
  );
}

const nodeTypes: NodeTypes = { block: BlockNode, terminal: Terminal };

export function CompositeView({ id }: { id: string }) {
  const { history, analysis } = useEditor();
  const res = useMemo(() => buildCompositeFlow(history.doc, analysis, id), [history.doc, analysis, id]);
  return (
    <div className="canvas composite-view" data-testid="composite-view" aria-label={`Inside ${id}`}>
      <nav className="breadcrumb" aria-label="Breadcrumb">
        <button type="button" onClick={() => setView({ composite: undefined })} data-testid="composite-back">
          ← Back to the graph
        </button>
        <span>
          Graph › <b>{res.ok ? res.title : id}</b> wired from primitives (read-only; the weights are row slices of the cell’s own)
        </span>
      </nav>
      {res.ok ? (
        <ReactFlowProvider>
          <ReactFlow<CompositeFlowNode>
            nodes={res.nodes as CompositeFlowNode[]}
            edges={[...res.edges]}
            nodeTypes={nodeTypes}
            nodesDraggable={false}
            nodesConnectable={false}
            elementsSelectable={false}
            fitView
            fitViewOptions={{ padding: 0.1 }}
            minZoom={0.1}
            proOptions={{ hideAttribution: true }}
          >
            <Background gap={20} />
            <Controls showInteractive={false} />
          </ReactFlow>
        </ReactFlowProvider>
      ) : (
        <p className="pane-message">{res.message}</p>
      )}
    </div>
  );
}
