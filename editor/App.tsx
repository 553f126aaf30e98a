/** The editor page: menus, palette, canvas (or a cell's inside) with the unrolled view, side panel, status bar. */
import { useEffect } from 'react';
import { CompositeView } from './components/CompositeView.tsx';
import { DataDialogHost } from './components/training/DataDialog.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { GraphCanvas } from './components/GraphCanvas.tsx';
import { HelpOverlay } from './components/HelpOverlay.tsx';
import { Notices } from './components/Notices.tsx';
import { Palette } from './components/Palette.tsx';
import { SidePanel } from './components/SidePanel.tsx';
import { StatusBar } from './components/StatusBar.tsx';
import { TopBar } from './components/TopBar.tsx';
import { TrainingPanel } from './components/training/TrainingPanel.tsx';
import { UnrolledView } from './components/UnrolledView.tsx';
import { installShortcuts } from './keyboard.ts';
import { useEditor } from './use-editor.ts';

export function App() {
  const { view, history } = useEditor();
  useEffect(() => installShortcuts(document), []);
  return (
    <div className="app">
      <TopBar />
      <Notices />
      <main className="workspace">
        <Palette />
        <div className={`center${view.unrolled ? ' split' : ''}`}>
          {/* A drawing crash shows itself here, with a way out; menus and panels keep working. */}
          <ErrorBoundary key={view.composite ?? ''} what={view.composite !== undefined ? `the inside of ${view.composite}` : 'the canvas'} resetKey={history.doc}>
            {view.composite !== undefined ? <CompositeView id={view.composite} /> : <GraphCanvas />}
          </ErrorBoundary>
          {view.unrolled ? (
            <ErrorBoundary what="the unrolled view" resetKey={history.doc}>
              <UnrolledView />
            </ErrorBoundary>
          ) : null}
        </div>
        <SidePanel />
      </main>
      {view.training ? (
        <ErrorBoundary what="the training panel" resetKey={history.doc}>
          <TrainingPanel />
        </ErrorBoundary>
      ) : null}
      <StatusBar />
      {view.help ? <HelpOverlay /> : null}
      <DataDialogHost />
    </div>
  );
}
