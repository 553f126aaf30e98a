/**
 * The graph unrolled for a small T beside the folded graph: copies laid out along time, copies
 * sharing weights marked alike. Selecting a copy selects its node in the graph; a node selected in
 * the graph lights up all its copies here.
 */
import { useMemo } from 'react';
import { Background, Controls, Handle, Position, ReactFlow, ReactFlowProvider, type NodeProps, type NodeTypes } from '@xyflow/react';
import { buildUnrolledFlow, MAX_VIEW_STEPS, SHARED_COLORS, type CopyNode, type StepNode, type UnrolledFlowNode } from '../model/unrolled-flow.ts';
import { select, setView } from '../store.ts';
import { useEditor } from '../use-editor.ts';

function CopyBox({ data }: NodeProps<CopyNode>) {
  const color = data.mark !== undefined ? SHARED_COLORS[data.mark] : undefined;
  return (
    <div
      className={`copy-node${data.linked ? ' linked' : ''}`}
      style={color !== undefined ? { borderLeftColor: color } : undefined}
      data-testid={`copy-${data.key}`}
      data-mark={data.mark ?? ''}
      title={data.weights.length > 0 ? `${data.title}; shares ${data.weights.join(', ')} with every other copy that reads ${data.weights.length === 1 ? 'it' : 'them'}` : data.title}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span className="copy-key">{data.key}</span>
      <span className="copy-type">{data.type}</span>
      {color !== undefined ? (
        <span className="shared-mark" style={{ background: color }} aria-label={`shares weights of ${data.node}`}>
          W {data.node}
        </span>
      ) : null}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

function StepFrame({ data }: NodeProps<StepNode>) {
  return (
    <div className="step-frame">
      <span>{data.label}</span>
    </div>
  );
}

const nodeTypes: NodeTypes = { copy: CopyBox, step: StepFrame };

export function UnrolledView() {
  const { history, analysis, view, selection, epoch } = useEditor();
  const selected = useMemo(() => new Set(selection.nodes), [selection.nodes]);
  const res = useMemo(() => buildUnrolledFlow(history.doc, analysis, view.steps, selected), [history.doc, analysis, view.steps, selected]);
  const structure = res.ok ? res.flow.nodes.length : 0;
  return (
    <section className="unrolled-view" aria-label="Unrolled view" data-testid="unrolled-view">
      <header className="pane-header">
        <h2>Unrolled</h2>
        <label>
          T ={' '}
          <select value={view.steps} aria-label="Steps to unroll" data-testid="unroll-steps" onChange={(e) => setView({ steps: Number(e.target.value) })}>
            {Array.from({ length: MAX_VIEW_STEPS }, (_, i) => i + 1).map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <span className="muted">every sequence {view.steps} long; copies with the same mark share one set of weights</span>
        <button type="button" className="close" aria-label="Close the unrolled view" onClick={() => setView({ unrolled: false })}>
          ×
        </button>
      </header>
      {res.ok ? (
        <div className="unrolled-canvas">
          <ReactFlowProvider key={`${epoch}:${view.steps}:${structure}`}>
            <ReactFlow<UnrolledFlowNode>
              nodes={res.flow.nodes as UnrolledFlowNode[]}
              edges={[...res.flow.edges]}
              nodeTypes={nodeTypes}
              nodesDraggable={false}
              nodesConnectable={false}
              edgesFocusable={false}
              fitView
              fitViewOptions={{ padding: 0.08 }}
              minZoom={0.05}
              zoomOnDoubleClick={false}
              onNodeClick={(_e, n) => {
                if (n.type === 'copy') select({ nodes: [n.data.node], edges: [], loops: [] });
              }}
              onPaneClick={() => select({ nodes: [], edges: [], loops: [] })}
              proOptions={{ hideAttribution: true }}
            >
              <Background gap={20} />
              <Controls showInteractive={false} />
            </ReactFlow>
          </ReactFlowProvider>
        </div>
      ) : (
        <p className="pane-message" role="status">
          {res.message}
        </p>
      )}
    </section>
  );
}
