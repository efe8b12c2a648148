/**
 * The WHATWG URL parser for code in this folder. Every runtime we ship to has the global `URL`
 * (Node, browsers, extension service workers), but its type lives in the DOM and Node libraries,
 * which this folder must not see; so the few members we use are typed here, in one place.
 */

/** The parts of a parsed URL this folder reads or clears. */
export interface ParsedUrl {
  readonly href: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
  readonly pathname: string;
  readonly origin: string;
  username: string;
  password: string;
  hash: string;
}

const UrlParser = (globalThis as unknown as { URL: new (input: string) => ParsedUrl }).URL;

/** Parses `text` as an absolute URL (canonical form: lowercase host, IDNs in punycode), or null. */
export function parseUrl(text: string): ParsedUrl | null {
  try {
    return new UrlParser(text);
  } catch {
    return null;
  }
}

/** Whether a parsed URL is a web page a browser may be told to open: http or https. */
export function isWebUrl(url: ParsedUrl): boolean {
  return url.protocol === 'http:' || url.protocol === 'https:';
}
