import { type FormEvent, useState } from 'react';
import { useToken, writeToken } from '../state/token-store';

/** The header's API token field: stored in localStorage, sent as a bearer token. */
export function TokenEntry() {
  const token = useToken();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');

  const save = (event: FormEvent) => {
    event.preventDefault();
    writeToken(draft.trim());
    setEditing(false);
    // Everything loaded so far was loaded with the old token.
    window.location.reload();
  };

  if (!editing) {
    return (
      <button type="button" className="token-button" onClick={() => setEditing(true)}>
        {token ? 'API token ✓' : 'Set API token'}
      </button>
    );
  }
  return (
    <form className="token-form" onSubmit={save}>
      <input
        type="password"
        aria-label="API token"
        placeholder="API token"
        value={draft}
        onChange={(event) => setDraft(event.target.value)}
      />
      <button type="submit">Save</button>
      <button type="button" onClick={() => setEditing(false)}>
        Cancel
      </button>
    </form>
  );
}
