/**
 * CRX3, the signed package Chrome installs from an update URL: a zip behind a small protobuf header
 * holding the publisher's RSA public key, a SHA-256 signature and the extension's id. Pure apart
 * from signing with the key it is given; reads and writes no files.
 * The format is Chromium's components/crx_file/crx3.proto (and crx_verifier.cc for what is signed).
 */
import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';

/** The first four bytes of every CRX. */
export const CRX_MAGIC = 'Cr24';
/** The CRX format version written here. */
export const CRX_FORMAT_VERSION = 3;
/** What Chrome prefixes to the signed header data and the zip before checking a signature. */
export const CRX3_SIGNATURE_CONTEXT = Buffer.from('CRX3 SignedData\x00', 'latin1');

/** Protobuf field numbers from crx3.proto, the only ones written. */
export const CRX3_FIELDS = {
  /** CrxFileHeader.sha256_with_rsa: repeated AsymmetricKeyProof. */
  sha256WithRsa: 2,
  /** CrxFileHeader.signed_header_data: a serialized SignedData. */
  signedHeaderData: 10000,
  /** AsymmetricKeyProof.public_key: the SubjectPublicKeyInfo, DER. */
  publicKey: 1,
  /** AsymmetricKeyProof.signature. */
  signature: 2,
  /** SignedData.crx_id: the first 16 bytes of the SHA-256 of the public key. */
  crxId: 1,
} as const;

/** A protobuf varint. */
function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** A length-delimited protobuf field (wire type 2): every field CRX3 writes is bytes or a message. */
function bytesField(field: number, value: Uint8Array): Buffer {
  return Buffer.concat([varint(field * 8 + 2), varint(value.length), value]);
}

/** A little-endian uint32, as the CRX header and the signed data frame their lengths. */
function uint32le(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value);
  return buffer;
}

/** The public key as Chrome reads it from a CRX: SubjectPublicKeyInfo, DER. */
export function publicKeyDer(key: KeyObject): Buffer {
  return createPublicKey(key).export({ type: 'spki', format: 'der' });
}

/** The CRX id: the first 16 bytes of the SHA-256 of the public key's DER. */
export function crxIdOf(publicKey: Uint8Array): Buffer {
  return createHash('sha256').update(publicKey).digest().subarray(0, 16);
}

/**
 * The extension id Chrome shows for a public key: the CRX id in hex written with the letters a–p
 * for 0–f (so an id never looks like a number or an IP address in a chrome-extension:// URL).
 */
export function extensionIdOf(publicKey: Uint8Array): string {
  return [...crxIdOf(publicKey).toString('hex')].map((digit) => String.fromCharCode(97 + parseInt(digit, 16))).join('');
}

/** The bytes a CRX3 signature covers: the context, the signed header data framed by its length, then the zip. */
export function crx3SignedBytes(signedHeaderData: Uint8Array, zip: Uint8Array): Buffer {
  return Buffer.concat([CRX3_SIGNATURE_CONTEXT, uint32le(signedHeaderData.length), signedHeaderData, zip]);
}

/** Packs `zip` as a CRX3 signed with the RSA `privateKey` (SHA-256, PKCS #1 v1.5, as Chrome verifies it). */
export function packCrx3(zip: Uint8Array, privateKey: KeyObject): Buffer {
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('a CRX is signed here with an RSA key');
  const publicKey = publicKeyDer(privateKey);
  const signedHeaderData = bytesField(CRX3_FIELDS.crxId, crxIdOf(publicKey));
  const signature = sign('sha256', crx3SignedBytes(signedHeaderData, zip), privateKey);
  const proof = Buffer.concat([
    bytesField(CRX3_FIELDS.publicKey, publicKey),
    bytesField(CRX3_FIELDS.signature, signature),
  ]);
  const header = Buffer.concat([
    bytesField(CRX3_FIELDS.sha256WithRsa, proof),
    bytesField(CRX3_FIELDS.signedHeaderData, signedHeaderData),
  ]);
  return Buffer.concat([
    Buffer.from(CRX_MAGIC, 'latin1'),
    uint32le(CRX_FORMAT_VERSION),
    uint32le(header.length),
    header,
    zip,
  ]);
}
