import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What the panel shows, for the message ("the results table"). */
  name: string;
  children: ReactNode;
  /** What to offer instead of the panel (a bad stored run: "delete this run"). */
  fallback?: (error: Error, reset: () => void) => ReactNode;
}

/**
 * Keeps one panel's failure (a stored record it cannot read, a chart library error) inside that panel:
 * the panel shows what went wrong and the rest of the lab keeps working. React only catches render
 * errors in a class component.
 */
export class PanelBoundary extends Component<Props, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override componentDidCatch(error: Error, info: ErrorInfo) {
    console.error(`FairDistill Lab: ${this.props.name} failed`, error, info.componentStack);
  }

  reset = () => this.setState({ error: null });

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    if (this.props.fallback) return this.props.fallback(error, this.reset);
    return (
      <section className="card panel-error" role="alert" data-testid="panel-error">
        <p>
          {this.props.name} cannot be shown ({error.message}). The rest of the lab keeps working; finished runs and
          cached data are untouched.
        </p>
        <button type="button" className="secondary" onClick={this.reset}>
          Try again
        </button>
      </section>
    );
  }
}
