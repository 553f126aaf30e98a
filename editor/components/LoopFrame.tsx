/** A loop drawn as a frame around the nodes it repeats, labelled with what it runs over. */
import type { NodeProps } from '@xyflow/react';
import type { LoopFlowNode } from '../flow-model.ts';

/** Custom React Flow node type `loop` (a parent node; its size comes from the flow model). */
export function LoopFrame({ data, selected }: NodeProps<LoopFlowNode>) {
  const classes = ['loop-frame', data.implicit ? 'implicit' : '', selected ? 'is-selected' : '', data.error ? 'has-error' : ''].filter(Boolean).join(' ');
  return (
    <div className={classes} data-testid={`loop-${data.loopId}`}>
      <div className="loop-label" title={data.implicit ? 'No loop is declared: every node but sources and losses runs once per step of the first sequence input' : 'Select the frame to set what it runs over and its direction; drag blocks in and out'}>
        ↻ {data.label}
      </div>
      {data.empty ? <div className="loop-empty">drag blocks here</div> : null}
    </div>
  );
}
