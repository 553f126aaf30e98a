/** The editor page: top bar, canvas of the open graph, side panel. */
import { GraphCanvas } from './components/GraphCanvas.tsx';
import { SidePanel } from './components/SidePanel.tsx';
import { TopBar } from './components/TopBar.tsx';
import { useEditor } from './use-editor.ts';

export function App() {
  const { open } = useEditor();
  return (
    <div className="app">
      <TopBar current={open?.name} />
      <main className="workspace">
        {open ? <GraphCanvas graph={open} /> : <div className="canvas-empty" />}
        <SidePanel graph={open} />
      </main>
    </div>
  );
}
