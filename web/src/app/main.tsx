import { createRoot } from 'react-dom/client';

function Placeholder() {
  return (
    <main style={{ fontFamily: 'system-ui', maxWidth: 560, margin: '4rem auto', padding: '0 1rem' }}>
      <h1>Focus Coach</h1>
      <p>Plan your week with the FOCUS framework. The server is running; the chat app is on its way.</p>
      <p>
        API: <code>/api/sessions</code>, WebSocket: <code>/api/sessions/:id/ws</code>. See docs/protocol.md.
      </p>
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<Placeholder />);
