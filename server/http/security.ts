/**
 * HTTP hygiene for every response: security headers (helmet, plus a Permissions-Policy helmet does
 * not set) and JSON answers for requests Node refuses before Express sees them. No routes here.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import type { ErrorBody } from '../../src/shared/protocol.ts';
import { ApiError } from './errors.ts';

/**
 * The headers: a Content-Security-Policy with no inline script (the built index.html loads one
 * module script; the service worker is registered from it, not inline), no framing, no MIME
 * sniffing, no referrer, and screen capture for this origin only.
 */
export function securityHeaders(): RequestHandler[] {
  return [
    helmet({
      contentSecurityPolicy: {
        // No `upgrade-insecure-requests`: a school may serve plain http on its LAN.
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          // Preact sets `style` through the CSSOM, which CSP allows; no inline <style> or style="" markup.
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          connectSrc: ["'self'"],
          mediaSrc: ["'self'", 'blob:'],
          workerSrc: ["'self'"],
          manifestSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'no-referrer' },
      // HTTPS is the deployment's choice (TLS here or at a proxy); pinning it is the proxy's job.
      strictTransportSecurity: false,
    }),
    (_req, res, next) => {
      // Only what the app uses. (camera=() would be tempting, but Chromium's fake capture device in the browser
      // tests goes through the camera path, and the app never asks for a camera anyway.)
      res.setHeader('Permissions-Policy', 'display-capture=(self)');
      next();
    },
  ];
}

/**
 * Answers requests Node's HTTP parser refuses (headers or URL over ~16 KB, broken framing, too slow)
 * with the API's JSON error body instead of a bare status line.
 */
export function answerClientErrors(server: HttpServer | HttpsServer): void {
  server.on('clientError', (error: Error & { code?: string }, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const [status, reason, body] =
      error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'Request Header Fields Too Large', new ApiError('headers-too-large').toBody()]
        : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? [408, 'Request Timeout', requestBody('The request took too long to arrive; send it again.')]
          : [400, 'Bad Request', requestBody('The request could not be parsed as HTTP; see docs/api.md.')];
    const json = JSON.stringify(body);
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(json)}\r\nConnection: close\r\n\r\n${json}`,
    );
  });
}

function requestBody(message: string): ErrorBody {
  return new ApiError('invalid-request', message).toBody();
}
