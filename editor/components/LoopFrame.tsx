/** A loop drawn as a frame around the nodes it repeats, labelled with what it runs over. */
import type { NodeProps } from '@xyflow/react';
import type { LoopFlowNode } from '../flow-model.ts';

/** Custom React Flow node type `loop` (a parent node; its size comes from the flow model). */
export function LoopFrame({ data }: NodeProps<LoopFlowNode>) {
  return (
    <div className={`loop-frame${data.implicit ? ' implicit' : ''}`} data-testid={`loop-${data.loopId}`}>
      <div className="loop-label">↻ {data.label}</div>
    </div>
  );
}
