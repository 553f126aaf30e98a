/** The open graph, drawn read-only: blocks, loop frames and typed wires. */
import { useMemo } from 'react';
import { Background, Controls, MiniMap, ReactFlow, type NodeTypes } from '@xyflow/react';
import { buildFlow, type FlowNode } from '../flow-model.ts';
import type { OpenGraph } from '../store.ts';
import { BlockNode } from './BlockNode.tsx';
import { LoopFrame } from './LoopFrame.tsx';

// Module-level so React Flow sees the same object every render (it warns otherwise).
const nodeTypes: NodeTypes = { block: BlockNode, loop: LoopFrame };

const CATEGORY_COLORS: Record<string, string> = {
  sources: '#0ea5e9',
  encdec: '#14b8a6',
  recurrent: '#8b5cf6',
  elementwise: '#f59e0b',
  attention: '#ec4899',
  loss: '#ef4444',
};

function minimapColor(n: FlowNode): string {
  if (n.type === 'loop') return 'rgba(124, 58, 237, 0.08)';
  if (n.data.error) return '#dc2626';
  return CATEGORY_COLORS[n.data.category ?? ''] ?? '#94a3b8';
}

export function GraphCanvas({ graph }: { graph: OpenGraph }) {
  const { doc, analysis, errors } = graph;
  const flow = useMemo(() => (doc ? buildFlow(doc, analysis, errors) : undefined), [doc, analysis, errors]);
  if (flow === undefined) {
    return (
      <div className="canvas-empty" role="status">
        <p>
          <strong>{graph.name}</strong> could not be read. The errors are listed on the right.
        </p>
      </div>
    );
  }
  return (
    <div className="canvas" aria-label={`Graph ${doc?.name ?? graph.name}`}>
      {/* Keyed by name so each newly opened graph mounts fresh and fits the view. */}
      <ReactFlow<FlowNode>
        key={graph.name}
        nodes={flow.nodes as FlowNode[]}
        edges={[...flow.edges]}
        nodeTypes={nodeTypes}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        edgesFocusable={false}
        fitView
        fitViewOptions={{ padding: 0.12 }}
        minZoom={0.2}
      >
        <Background gap={20} />
        <MiniMap<FlowNode> nodeColor={minimapColor} pannable zoomable />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
