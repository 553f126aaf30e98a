/**
 * A crash while drawing must not leave a blank page (the draft is autosaved, so it would be blank
 * again after every reload). The boundary shows what failed and offers a way out: open the default
 * example (an undoable step, so the broken graph stays in the history), download the graph that
 * failed to draw (to keep it, or to report it), or try again. It clears itself when the open
 * document changes (`resetKey`), so opening another graph from the menus recovers too.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { downloadGraph, fileNameFor } from '../files.ts';
import { currentDoc, defaultDocument, dispatch, getState } from '../store.ts';

interface Props {
  readonly children: ReactNode;
  /** What is drawn inside, for the message: `the canvas`, `the editor`. */
  readonly what: string;
  /** A change of this value (the open document) clears the error. */
  readonly resetKey: unknown;
  readonly className?: string;
}

interface State {
  readonly error: Error | undefined;
  readonly key: unknown;
}

/** Open the default example in place of the graph that failed to draw. */
export function openDefaultInstead(): void {
  const { doc, source } = defaultDocument();
  dispatch({ type: 'replace', doc }, { source });
}

/** Download the open graph as it is, named `<name>-broken.json`. */
export function downloadBroken(): void {
  const doc = currentDoc();
  downloadGraph(doc, fileNameFor(doc, getState().history.source.name).replace(/\.json$/, '-broken.json'));
}

export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: undefined, key: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    // Another document is open: draw again.
    return props.resetKey !== state.key ? { key: props.resetKey, error: undefined } : null;
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(`Unroll could not draw ${this.props.what}`, error, info.componentStack);
  }

  override render(): ReactNode {
    const { error } = this.state;
    if (error === undefined) return this.props.children;
    return (
      <div className={`crash ${this.props.className ?? ''}`} role="alert" data-testid="crash">
        <h2>Unroll could not draw {this.props.what}</h2>
        <p>
          This is a bug in Unroll, not a mistake in your graph. The graph is still open (and autosaved): download it to keep it, or open the default example instead
          (Ctrl+Z brings this graph back).
        </p>
        <pre className="crash-message" data-testid="crash-message">
          {error.message}
        </pre>
        <div className="button-row">
          <button type="button" onClick={openDefaultInstead} data-testid="crash-open-default">
            Open the default example
          </button>
          <button type="button" onClick={downloadBroken} data-testid="crash-download">
            Download this graph
          </button>
          <button type="button" onClick={() => this.setState({ error: undefined })}>
            Try again
          </button>
        </div>
      </div>
    );
  }
}
