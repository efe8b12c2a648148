/**
 * Who is signed in with the school account on this browser (when the server offers sign-in), and
 * signing out (of this app, then, if the person wishes, at the school provider). Asks the server
 * once the config says sign-in is on; views only render what it holds.
 */
import { useEffect, useState } from 'preact/hooks';
import type { SignedInAccount } from '../../shared/protocol.ts';
import * as api from '../net/api.ts';

/** The sign-in state a view renders. */
export interface SignInState {
  /** Whether the server offers sign-in with school accounts. */
  available: boolean;
  /** The signed-in person, or null (also while unknown). */
  account: SignedInAccount | null;
  /** Where the sign-in button goes, returning to this page. */
  signInHref: string;
  /** Signs out on the server, then forgets the account here. */
  signOut: () => Promise<void>;
  /** Just signed out: the school provider's own sign-out page, for a shared device (null when it has none). */
  providerSignOutUrl: string | null;
}

/** The sign-in state; `available` comes from the server's config. */
export function useSignIn(available: boolean): SignInState {
  const [account, setAccount] = useState<SignedInAccount | null>(null);
  const [providerSignOutUrl, setProviderSignOutUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!available) return;
    api.getSignedIn().then(
      (me) => setAccount(me.account),
      () => setAccount(null),
    );
  }, [available]);
  return {
    available,
    account,
    signInHref: api.signInUrl(`${location.pathname}${location.search}`),
    signOut: async () => {
      const { providerSignOutUrl: page } = await api.signOut();
      setAccount(null);
      setProviderSignOutUrl(page);
    },
    providerSignOutUrl,
  };
}
