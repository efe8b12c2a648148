/**
 * Sign-in with the school's accounts over HTTP: start (to the provider), the provider's answer,
 * sign-out, and who is signed in. Each route calls `SignIn` once; the two the browser navigates to
 * answer a refusal with a small page rather than JSON. No sign-in rule here.
 */
import express, { type Request, type Response } from 'express';
import type { SignIn } from '../../auth/sign-in.ts';
import { ApiError } from '../errors.ts';
import type { RequestLimits } from '../limits.ts';

/** The auth router. */
export function authRoutes(deps: {
  signIn: Pick<SignIn, 'start' | 'finish' | 'signOut' | 'me'>;
  limits: Pick<RequestLimits, 'entry' | 'read'>;
}): express.Router {
  const { signIn, limits } = deps;
  const router = express.Router();
  router.use('/auth', (_req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/auth/login', limits.entry, async (req, res) => {
    await asPage(req, res, async () => res.redirect(303, (await signIn.start(req, res, req.query.returnTo)).href));
  });

  router.get('/auth/callback', limits.entry, async (req, res) => {
    await asPage(req, res, async () => res.redirect(303, await signIn.finish(req, res)));
  });

  router.post('/auth/logout', async (req, res) => {
    res.json(await signIn.signOut(req, res));
  });

  router.get('/auth/me', limits.read, async (req, res) => {
    res.json(await signIn.me(req));
  });

  return router;
}

/** Runs a route a browser navigates to; an API error becomes a page for a browser, JSON for anything else. */
async function asPage(req: Request, res: Response, route: () => Promise<void>): Promise<void> {
  try {
    await route();
  } catch (error) {
    if (!(error instanceof ApiError) || req.accepts(['json', 'html']) !== 'html') throw error;
    res.status(error.status).type('html').send(errorPage(error.message));
  }
}

/** A page saying why signing in did not work and what to do, with the way back; no script, no style. */
function errorPage(message: string): string {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in did not work</title>
<main>
<h1>Sign-in did not work</h1>
<p>${escapeHtml(message)}</p>
<p><a href="/">Back to the app</a></p>
</main>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
