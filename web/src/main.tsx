import 'uplot/dist/uPlot.min.css';
import './app.css';
import { render } from 'preact';
import { loadConfig } from './api';
import { App } from './app';

const root = document.getElementById('app')!;

loadConfig().then(
  () => render(<App />, root),
  (error: Error) =>
    render(
      <main>
        <h1>The dashboard could not start</h1>
        <p role="alert">{error.message}</p>
      </main>,
      root,
    ),
);
