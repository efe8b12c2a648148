/**
 * The school-account sign-in on Home and the class link: a button to sign in, or who is signed in
 * and a way out (and, once out, the school provider's own sign-out, when it has one).
 */
import { useState } from 'preact/hooks';
import type { SignInState } from '../hooks/sign-in.ts';

/** Renders nothing when the server offers no sign-in. */
export function SignInPanel(props: { signIn: SignInState }) {
  const { available, account, signInHref, signOut, providerSignOutUrl } = props.signIn;
  const [failed, setFailed] = useState<string | null>(null);
  if (!available) return null;
  if (!account)
    return (
      <>
        {providerSignOutUrl && (
          // Signed out of this app only: on a shared device the next person would be signed in as
          // them at the school's sign-in page, so the provider's own sign-out is one step away.
          <p class="sign-in" role="status">
            Signed out of this app. On a shared device, also{' '}
            <a href={providerSignOutUrl}>sign out of your school account</a>.
          </p>
        )}
        <p class="sign-in">
          {/* A link, not a script: the browser goes to the school's sign-in page and comes back here. */}
          <a class="button primary" href={signInHref}>
            Sign in with your school account
          </a>
        </p>
      </>
    );
  return (
    <p class="sign-in" role="status">
      Signed in as <strong>{account.name}</strong>
      {account.email && <span class="muted"> ({account.email})</span>}.{' '}
      <button
        type="button"
        onClick={() => {
          setFailed(null);
          signOut().catch((error: Error) => setFailed(error.message));
        }}
      >
        Sign out
      </button>
      {failed && (
        <span class="field-error" role="alert">
          {' '}
          {failed}
        </span>
      )}
    </p>
  );
}
