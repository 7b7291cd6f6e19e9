import { crc32, inflateRawSync } from 'node:zlib';

/** One file of a zip archive as {@link readZip} reads it. */
export interface ZipEntry {
  name: string;
  data: Buffer;
  /** The CRC-32 the archive records, which {@link readZip} has checked against the data. */
  crc: number;
}

/**
 * Reads every file of a zip archive from its central directory (zip64 included), the way unzip tools do, and checks
 * each file's CRC-32 and that its local header agrees with its central one. Written from PKWARE's APPNOTE for the
 * tests, independent of the app's writer (src-main/util/zipWriter.ts). Throws on anything malformed.
 */
export function readZip(zip: Buffer): ZipEntry[] {
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('no end of central directory record');
  let count = zip.readUInt16LE(end + 10);
  let size = zip.readUInt32LE(end + 12);
  let start = zip.readUInt32LE(end + 16);
  if (count === 0xffff || size === 0xffffffff || start === 0xffffffff) {
    const locator = end - 20;
    if (zip.readUInt32LE(locator) !== 0x07064b50)
      throw new Error('no zip64 end of central directory locator');
    const record = Number(zip.readBigUInt64LE(locator + 8));
    if (zip.readUInt32LE(record) !== 0x06064b50) throw new Error('no zip64 end of central directory record');
    count = Number(zip.readBigUInt64LE(record + 32));
    size = Number(zip.readBigUInt64LE(record + 40));
    start = Number(zip.readBigUInt64LE(record + 48));
  }
  const entries: ZipEntry[] = [];
  let at = start;
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`entry ${n}: no central directory header`);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    let compressed = zip.readUInt32LE(at + 20);
    let uncompressed = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    let offset = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const extra = zip.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    for (let e = 0; e + 4 <= extra.length;) {
      const id = extra.readUInt16LE(e);
      const length = extra.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let v = e + 4;
        if (uncompressed === 0xffffffff) {
          uncompressed = Number(extra.readBigUInt64LE(v));
          v += 8;
        }
        if (compressed === 0xffffffff) {
          compressed = Number(extra.readBigUInt64LE(v));
          v += 8;
        }
        if (offset === 0xffffffff) offset = Number(extra.readBigUInt64LE(v));
      }
      e += 4 + length;
    }
    if (zip.readUInt32LE(offset) !== 0x04034b50) throw new Error(`${name}: no local file header`);
    const localName = zip.toString('utf8', offset + 30, offset + 30 + zip.readUInt16LE(offset + 26));
    if (localName !== name) throw new Error(`${name}: its local header names ${localName}`);
    const dataStart = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const raw = zip.subarray(dataStart, dataStart + compressed);
    const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw) : null;
    if (!data) throw new Error(`${name}: compression method ${method} is not read here`);
    if (data.length !== uncompressed)
      throw new Error(`${name}: ${data.length} bytes, the header says ${uncompressed}`);
    if (crc32(data) !== crc) throw new Error(`${name}: its CRC-32 does not match its data`);
    entries.push({ name, data, crc });
    at += 46 + nameLength + extraLength + commentLength;
  }
  if (at !== start + size) throw new Error('the central directory is not the size the end record says');
  return entries;
}
