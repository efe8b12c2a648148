/**
 * The companion extension for force-installation (mounted at EXTENSION_PATH): the update manifest
 * Chrome's policy points at, the signed CRX it names, and what an admin needs to set the policy.
 * Every URL is the one the request came in by, so it is right behind a proxy and over HTTPS.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { ExtensionInfo } from '../../../src/shared/protocol.ts';
import { EXTENSION_PATH, UPDATE_MANIFEST_PATH, type ExtensionPackage } from '../../extension/extension-package.ts';
import { ApiError } from '../errors.ts';
import { requestOrigin } from '../urls.ts';

/** What the extension routes read. */
export interface ExtensionRouteDeps {
  /** The packed extension; null when the server was started without a build of it. */
  extension: ExtensionPackage | null;
  /** The per-address limit for reads that need no seat (packing for a new address costs a signature). */
  limit: RequestHandler;
}

/** The gupdate response format Chrome's extension updater reads (developer.chrome.com, "Autoupdating"). */
export function updateManifest(id: string, version: string, crxUrl: string): string {
  return [
    "<?xml version='1.0' encoding='UTF-8'?>",
    "<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>",
    `  <app appid='${xmlAttribute(id)}'>`,
    `    <updatecheck codebase='${xmlAttribute(crxUrl)}' version='${xmlAttribute(version)}' />`,
    '  </app>',
    '</gupdate>',
    '',
  ].join('\n');
}

/** The `/extension` router; its errors are the API's JSON errors. */
export function extensionRoutes(deps: ExtensionRouteDeps): express.Router {
  const router = express.Router();
  const { extension } = deps;
  router.use(deps.limit);
  // Each answer is made for the address it was asked at: no shared cache may keep one for another.
  router.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-cache, private');
    next();
  });
  if (extension) {
    router.get('/', (req, res) => {
      const origin = originOf(req);
      const updateUrl = `${origin}${UPDATE_MANIFEST_PATH}`;
      const body: ExtensionInfo = {
        id: extension.id,
        version: extension.version,
        updateUrl,
        forcelistEntry: `${extension.id};${updateUrl}`,
        policy: { serverUrl: { Value: origin } },
      };
      res.json(body);
    });
    router.get('/update.xml', (req, res) => {
      const crxUrl = `${originOf(req)}${EXTENSION_PATH}/${extension.crxName}`;
      res.type('application/xml').send(updateManifest(extension.id, extension.version, crxUrl));
    });
    router.get(`/${extension.crxName}`, (req, res) => {
      res.type('application/x-chrome-extension').send(extension.crxFor(originOf(req)));
    });
  }
  router.use((req, _res, next) => {
    next(
      new ApiError(
        'not-found',
        extension
          ? `No such file: ${EXTENSION_PATH}${req.path}. Chrome finds the extension through ${UPDATE_MANIFEST_PATH}.`
          : 'The companion extension is not built on this server: run `npm run build` (or `npm start`), then restart.',
      ),
    );
  });
  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!(error instanceof ApiError)) return next(error);
    res.status(error.status).json(error.toBody());
  });
  return router;
}

/** The origin the request was sent to; a 400 when its host is not one. */
function originOf(req: Request): string {
  const origin = requestOrigin(req);
  if (!origin) throw new ApiError('invalid-request', 'The request names no usable host; ask for this by its address.');
  return origin;
}

/** `text` inside a single-quoted XML attribute. */
function xmlAttribute(text: string): string {
  return text.replace(/[&<>'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
