/** Entry point of the editor page. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './editor.css';
import { App } from './App.tsx';
import { defaultExample } from './examples.ts';
import { openExample } from './store.ts';
import { installTestApi } from './test-api.ts';

installTestApi(window);
if (defaultExample !== undefined) openExample(defaultExample);

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
