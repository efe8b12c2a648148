/** Entry point of the PWA. */
import { render } from 'preact';

function App() {
  return (
    <main>
      <h1>Classroom Screens</h1>
    </main>
  );
}

render(<App />, document.getElementById('app')!);
