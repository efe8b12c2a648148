/**
 * Reads a CRX3 back, independently of the server's writer: the frame, the protobuf header (only
 * what crx3.proto says, decoded by hand), and the bytes Chrome verifies the signature over.
 */
import { unzipSync } from 'fflate';

/** One `AsymmetricKeyProof`. */
export interface KeyProof {
  publicKey: Buffer;
  signature: Buffer;
}

/** A CRX read back. */
export interface ReadCrx {
  magic: string;
  formatVersion: number;
  headerLength: number;
  /** `CrxFileHeader.sha256_with_rsa` (field 2). */
  rsaProofs: KeyProof[];
  /** `CrxFileHeader.signed_header_data` (field 10000). */
  signedHeaderData: Buffer;
  /** `SignedData.crx_id` (field 1) inside it. */
  crxId: Buffer;
  zip: Buffer;
  /** Exactly what Chrome checks each RSA proof's signature against. */
  signedBytes: Buffer;
}

/** Each field of a protobuf message: number, and the bytes of a length-delimited one. */
function fields(message: Buffer): { field: number; bytes: Buffer }[] {
  const out: { field: number; bytes: Buffer }[] = [];
  let at = 0;
  const varint = () => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = message[at++]!;
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
      if (!(byte & 0x80)) return value;
    }
  };
  while (at < message.length) {
    const tag = varint();
    if ((tag & 7) !== 2)
      throw new Error(`field ${Math.floor(tag / 8)} has wire type ${tag & 7}; CRX3 has only bytes fields`);
    const length = varint();
    out.push({ field: Math.floor(tag / 8), bytes: message.subarray(at, at + length) });
    at += length;
  }
  if (at !== message.length) throw new Error('a field runs past the end of its message');
  return out;
}

/** Parses a CRX3 file. */
export function readCrx3(crx: Buffer): ReadCrx {
  const headerLength = crx.readUInt32LE(8);
  const header = fields(crx.subarray(12, 12 + headerLength));
  const signedHeaderData = header.find((f) => f.field === 10000)?.bytes ?? Buffer.alloc(0);
  const zip = crx.subarray(12 + headerLength);
  const length = Buffer.alloc(4);
  length.writeUInt32LE(signedHeaderData.length);
  return {
    magic: crx.subarray(0, 4).toString('latin1'),
    formatVersion: crx.readUInt32LE(4),
    headerLength,
    rsaProofs: header
      .filter((f) => f.field === 2)
      .map((f) => {
        const proof = fields(f.bytes);
        return {
          publicKey: proof.find((p) => p.field === 1)!.bytes,
          signature: proof.find((p) => p.field === 2)!.bytes,
        };
      }),
    signedHeaderData,
    crxId: fields(signedHeaderData).find((f) => f.field === 1)?.bytes ?? Buffer.alloc(0),
    zip,
    signedBytes: Buffer.concat([Buffer.from('CRX3 SignedData\0', 'latin1'), length, signedHeaderData, zip]),
  };
}

/** The files of a CRX's zip, by name. */
export function crxFiles(crx: Buffer): Record<string, Uint8Array> {
  return unzipSync(readCrx3(crx).zip);
}

/** The manifest inside a CRX. */
export function crxManifest(crx: Buffer): Record<string, unknown> {
  return JSON.parse(Buffer.from(crxFiles(crx)['manifest.json']!).toString('utf8')) as Record<string, unknown>;
}
