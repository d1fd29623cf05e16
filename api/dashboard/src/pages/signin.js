// Sign-in with an API key (kept in sessionStorage for this tab only).
import { h } from '../dom.js';

export function renderSignIn(root, signIn) {
  const input = h('input', {
    id: 'api-key', name: 'api-key', type: 'password', required: true, autocomplete: 'off',
    spellcheck: 'false', 'aria-describedby': 'api-key-help',
  });
  const error = h('div', { class: 'form-error', role: 'alert', 'aria-live': 'assertive' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', {
    class: 'signin-form',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      button.disabled = true;
      try {
        await signIn(input.value.trim());
      } catch (err) {
        error.textContent = err.status === 401
          ? 'That API key was not accepted.'
          : `Could not sign in: ${err.message}`;
        input.focus();
      } finally {
        button.disabled = false;
      }
    },
  },
  h('label', { for: 'api-key' }, 'API key'),
  input,
  h('p', { id: 'api-key-help', class: 'muted small' },
    'Your key is kept in this browser tab only and sent to the server as a Bearer token. ',
    'The demo daemon (scripts/run) prints its demo keys, such as lf-demo-bob.'),
  error,
  button);
  root.append(h('main', { class: 'signin', id: 'main' },
    h('div', { class: 'signin-card' },
      h('h1', {}, h('span', { class: 'logo', 'aria-hidden': 'true' }, '◆'), ' Ledgerflow'),
      h('p', { class: 'muted' }, 'Watch workflows, work your inbox and see why each decision was taken.'),
      form)));
  input.focus();
}
