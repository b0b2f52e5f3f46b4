'use client';
import { Component, type ReactNode } from 'react';
import { ErrorNotice } from './error-notice';

/** One panel failing shows its own error and retry; the rest of the page stays. */
export class PanelBoundary extends Component<{ what: string; children: ReactNode }, { error: Error | null }> {
  state: { error: Error | null } = { error: null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  render() {
    if (!this.state.error) return this.props.children;
    return <ErrorNotice what={this.props.what} error={this.state.error} reset={() => this.setState({ error: null })} />;
  }
}
