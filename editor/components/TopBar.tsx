/** The title bar: File, Edit, View and Examples menus, undo/redo and the view toggles, all labelled. */
import { useEffect, useRef, type ReactNode } from 'react';
import {
  copySelection,
  cutSelection,
  deleteSelection,
  duplicateSelection,
  pasteText,
  saveFile,
  selectAll,
  tidyUp,
  wrapInLoop,
} from '../actions.ts';
import { canvas } from '../canvas-bridge.ts';
import { exampleNames } from '../examples.ts';
import { pickDataFile } from '../data/dialog-store.ts';
import { openFile } from '../files.ts';
import { downloadPytorchFile } from '../export.ts';
import { canRedo, canUndo } from '../model/history.ts';
import { newGraph, openExample, redoEdit, setView, undoEdit } from '../store.ts';
import { useEditor } from '../use-editor.ts';
import { TrainControls } from './TrainControls.tsx';

/** A drop-down menu (a <details>): keyboard reachable, closed after a choice, Escape or a click elsewhere. */
function Menu({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const close = (e: Event) => {
      const d = ref.current;
      if (d?.open && !(e.target instanceof Node && d.contains(e.target))) d.open = false;
    };
    document.addEventListener('pointerdown', close);
    return () => document.removeEventListener('pointerdown', close);
  }, []);
  return (
    <details
      className="menu"
      ref={ref}
      onClick={(e) => {
        if ((e.target as Element).closest('[role=menuitem]') && ref.current) ref.current.open = false;
      }}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && ref.current?.open) {
          e.stopPropagation();
          ref.current.open = false;
          ref.current.querySelector('summary')?.focus();
        }
        if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && ref.current?.open) {
          e.preventDefault();
          const items = [...ref.current.querySelectorAll<HTMLButtonElement>('[role=menuitem]:not(:disabled)')];
          const i = items.indexOf(document.activeElement as HTMLButtonElement);
          const next = e.key === 'ArrowDown' ? (i + 1) % items.length : (i - 1 + items.length) % items.length;
          items[next]?.focus();
        }
      }}
    >
      <summary>{label}</summary>
      <ul role="menu" aria-label={label}>
        {children}
      </ul>
    </details>
  );
}

function Item({ onClick, children, disabled, keys, checked }: { onClick: () => void; children: ReactNode; disabled?: boolean; keys?: string; checked?: boolean }) {
  return (
    <li role="none">
      <button type="button" role={checked === undefined ? 'menuitem' : 'menuitemcheckbox'} aria-checked={checked} onClick={onClick} disabled={disabled}>
        <span>
          {checked !== undefined ? (checked ? '✓ ' : '  ') : ''}
          {children}
        </span>
        {keys !== undefined ? <kbd>{keys}</kbd> : null}
      </button>
    </li>
  );
}

async function copyToClipboard(cut: boolean): Promise<void> {
  const text = cut ? cutSelection() : copySelection();
  if (text !== undefined) await navigator.clipboard?.writeText(text).catch(() => undefined);
}

async function pasteFromClipboard(): Promise<void> {
  const text = await navigator.clipboard?.readText().catch(() => undefined);
  if (text !== undefined && text !== '') pasteText(text);
}

export function TopBar() {
  const { history, view, selection } = useEditor();
  const fileInput = useRef<HTMLInputElement>(null);
  const lastUndo = history.past[history.past.length - 1];
  const nextRedo = history.future[history.future.length - 1];
  const some = selection.nodes.length + selection.edges.length + selection.loops.length > 0;
  const current = history.source.kind === 'example' ? history.source.name : undefined;
  return (
    <header className="top-bar">
      <h1>Unroll</h1>
      <Menu label="File">
        <Item onClick={newGraph}>New</Item>
        <Item onClick={() => fileInput.current?.click()} keys="Ctrl O">
          Open…
        </Item>
        <Item onClick={saveFile} keys="Ctrl S">
          Save / export JSON
        </Item>
        <Item onClick={pickDataFile}>Use my data… (CSV, text)</Item>
      </Menu>
      <Menu label="Export">
        <Item onClick={() => downloadPytorchFile('model.py')}>PyTorch model.py</Item>
        <Item onClick={() => downloadPytorchFile('train.py')}>PyTorch train.py (DDP)</Item>
      </Menu>
      <Menu label="Edit">
        <Item onClick={undoEdit} disabled={!canUndo(history)} keys="Ctrl Z">
          Undo{lastUndo ? ` ${lastUndo.label}` : ''}
        </Item>
        <Item onClick={redoEdit} disabled={!canRedo(history)} keys="Ctrl Shift Z">
          Redo{nextRedo ? ` ${nextRedo.label}` : ''}
        </Item>
        <Item onClick={() => void copyToClipboard(true)} disabled={!some} keys="Ctrl X">
          Cut
        </Item>
        <Item onClick={() => void copyToClipboard(false)} disabled={!some} keys="Ctrl C">
          Copy
        </Item>
        <Item onClick={() => void pasteFromClipboard()} keys="Ctrl V">
          Paste
        </Item>
        <Item onClick={duplicateSelection} disabled={!some} keys="Ctrl D">
          Duplicate
        </Item>
        <Item onClick={deleteSelection} disabled={!some} keys="Del">
          Delete
        </Item>
        <Item onClick={selectAll} keys="Ctrl A">
          Select all
        </Item>
        <Item onClick={wrapInLoop} disabled={selection.nodes.length === 0} keys="Ctrl G">
          Wrap in loop
        </Item>
        <Item onClick={() => canvas()?.openAddMenu()} keys="Shift A">
          Add block…
        </Item>
      </Menu>
      <Menu label="View">
        <Item onClick={tidyUp} keys="L">
          Auto-layout
        </Item>
        <Item onClick={() => canvas()?.fitView()} keys="F">
          Fit view
        </Item>
        <Item onClick={() => setView({ snap: !view.snap })} checked={view.snap} keys="G">
          Snap to grid
        </Item>
        <Item onClick={() => setView({ unrolled: !view.unrolled })} checked={view.unrolled} keys="U">
          Unrolled view
        </Item>
        <Item onClick={() => setView({ training: !view.training })} checked={view.training}>
          Training panel
        </Item>
        <Item onClick={() => setView({ help: true })} keys="?">
          Keyboard shortcuts
        </Item>
      </Menu>
      <Menu label="Examples">
        {exampleNames.map((name) => (
          <li key={name} role="none">
            <button type="button" role="menuitem" aria-current={name === current} onClick={() => openExample(name)}>
              {name}
            </button>
          </li>
        ))}
      </Menu>
      <div className="toolbar" role="toolbar" aria-label="Quick actions">
        <button type="button" onClick={undoEdit} disabled={!canUndo(history)} aria-label={`Undo${lastUndo ? ` ${lastUndo.label}` : ''}`} title="Undo (Ctrl Z)">
          ↶
        </button>
        <button type="button" onClick={redoEdit} disabled={!canRedo(history)} aria-label={`Redo${nextRedo ? ` ${nextRedo.label}` : ''}`} title="Redo (Ctrl Shift Z)">
          ↷
        </button>
        <button type="button" onClick={tidyUp} aria-label="Auto-layout" title="Auto-layout (L)">
          ⇶ Layout
        </button>
        <button type="button" onClick={() => setView({ unrolled: !view.unrolled })} aria-pressed={view.unrolled} aria-label="Unrolled view" title="Unrolled view (U)">
          ⇉ Unrolled
        </button>
        <button type="button" onClick={() => setView({ training: !view.training })} aria-pressed={view.training} aria-label="Training panel" title="Training panel: settings, charts, weights">
          ◔ Training
        </button>
        <button type="button" onClick={() => setView({ help: true })} aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)">
          ?
        </button>
      </div>
      <input
        ref={fileInput}
        type="file"
        accept=".json,application/json"
        hidden
        data-testid="file-input"
        aria-label="Open a graph file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file !== undefined) void openFile(file);
          e.target.value = '';
        }}
      />
      <TrainControls />
    </header>
  );
}
