/** The editor page: menus, palette, canvas (or a cell's inside) with the unrolled view, side panel, status bar. */
import { useEffect } from 'react';
import { CompositeView } from './components/CompositeView.tsx';
import { GraphCanvas } from './components/GraphCanvas.tsx';
import { HelpOverlay } from './components/HelpOverlay.tsx';
import { Notices } from './components/Notices.tsx';
import { Palette } from './components/Palette.tsx';
import { SidePanel } from './components/SidePanel.tsx';
import { StatusBar } from './components/StatusBar.tsx';
import { TopBar } from './components/TopBar.tsx';
import { UnrolledView } from './components/UnrolledView.tsx';
import { installShortcuts } from './keyboard.ts';
import { useEditor } from './use-editor.ts';

export function App() {
  const { view } = useEditor();
  useEffect(() => installShortcuts(document), []);
  return (
    <div className="app">
      <TopBar />
      <Notices />
      <main className="workspace">
        <Palette />
        <div className={`center${view.unrolled ? ' split' : ''}`}>
          {view.composite !== undefined ? <CompositeView id={view.composite} /> : <GraphCanvas />}
          {view.unrolled ? <UnrolledView /> : null}
        </div>
        <SidePanel />
      </main>
      <StatusBar />
      {view.help ? <HelpOverlay /> : null}
    </div>
  );
}
