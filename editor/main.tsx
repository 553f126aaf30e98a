/**
 * Entry point of the editor page. The page renders at once; the first load then restores the
 * autosaved draft (or opens the default example), and only after that does autosave start.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './editor.css';
import { parseGraph } from '../runtime/graph/parse.ts';
import { App } from './App.tsx';
import { ErrorBoundary } from './components/ErrorBoundary.tsx';
import { Autosaver, readDraft, setActiveAutosaver } from './persist.ts';
import { defaultDocument, getState, loadInitial, notify, setStorage, subscribe } from './store.ts';
import { installTestApi } from './test-api.ts';
import { useEditor } from './use-editor.ts';

installTestApi(window);

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
/** The whole page inside a last-resort boundary: a crash outside the canvas still shows a way out. */
function Root() {
  const { history } = useEditor();
  return (
    <ErrorBoundary what="the editor" resetKey={history.doc} className="crash-page">
      <App />
    </ErrorBoundary>
  );
}

createRoot(root).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);

async function firstLoad(): Promise<void> {
  const draft = await readDraft();
  let storageOff: string | undefined;
  if (draft.kind === 'ok') {
    const parsed = parseGraph(draft.text);
    if (parsed.ok) {
      loadInitial(parsed.value, draft.source);
    } else {
      const e = parsed.errors[0];
      const fallback = defaultDocument();
      loadInitial(fallback.doc, fallback.source);
      notify('error', `The autosaved draft could not be read (${e?.code ?? ''} ${e?.message ?? ''}); opened the ${fallback.source.name} example instead.`, { sticky: true });
    }
  } else {
    const fallback = defaultDocument();
    loadInitial(fallback.doc, fallback.source);
    if (draft.kind === 'corrupt') notify('error', `The autosaved draft could not be read (${draft.why}); opened the ${fallback.source.name} example instead.`, { sticky: true });
    if (draft.kind === 'unavailable') storageOff = draft.why;
  }
  if (storageOff !== undefined) {
    setStorage({ status: 'off', message: storageOff });
    return;
  }
  setStorage({ status: 'saved' });
  const saver = new Autosaver({
    current: () => ({ doc: getState().history.doc, source: getState().history.source }),
    status: (status, message) => setStorage(message !== undefined ? { status, message } : { status }),
  });
  setActiveAutosaver(saver);
  subscribe(() => saver.changed());
  window.addEventListener('pagehide', () => saver.pagehide());
  // Hidden tabs may never see pagehide (mobile); save when the page is backgrounded too.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') saver.flush();
  });
}

void firstLoad();
