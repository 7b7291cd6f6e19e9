/**
 * A zip archive written as a stream, files stored as they are (no compression: PNG, JPEG and WebP are compressed
 * already, so deflate would cost time for nothing). Each entry's CRC-32 comes from Node's `zlib.crc32`; the
 * archive grows to the zip64 format when it needs to (more than 65,535 entries, or past 4 GiB), which every
 * current unzip tool reads. Names are UTF-8 (general purpose bit 11).
 *
 * Format: PKWARE's APPNOTE.TXT 6.3.10 — local file header (4.3.7), central directory header (4.3.12), zip64
 * extended information extra field (4.5.3), zip64 end of central directory record and locator (4.3.14–15).
 */
import { crc32 } from 'node:zlib';

/** Where the archive's bytes go, in order; a promise that resolves once the chunk may be followed by more. */
export type ZipSink = (chunk: Buffer) => Promise<void>;

const MAX_16 = 0xffff;
const MAX_32 = 0xffffffff;
/** "Version needed to extract": 2.0 for stored entries, 4.5 for zip64. */
const VERSION_20 = 20;
const VERSION_45 = 45;
const UTF8_NAMES = 1 << 11;

interface Written {
  name: Buffer;
  crc: number;
  size: number;
  offset: number;
  dosTime: number;
  dosDate: number;
}

/** Writes one zip archive to `sink`: {@link add} each file, then {@link finish}. */
export class ZipWriter {
  private readonly entries: Written[] = [];
  private offset = 0;
  private finished = false;

  constructor(private readonly sink: ZipSink) {}

  /** Entries added so far. */
  get count(): number {
    return this.entries.length;
  }

  /**
   * Adds a file: `name` is its path in the archive ('/' separators, no leading '/'), `data` its bytes, `modified`
   * the time the archive records for it (to the even second, in local time, as zip does).
   */
  async add(name: string, data: Uint8Array, modified = new Date()): Promise<void> {
    if (this.finished) throw new Error('the zip archive is already finished');
    if (!name || name.startsWith('/') || name.split('/').includes('..'))
      throw new Error(`not a name inside a zip archive: ${JSON.stringify(name)}`);
    const nameBytes = Buffer.from(name, 'utf8');
    const { dosTime, dosDate } = dosDateTime(modified);
    const entry: Written = {
      name: nameBytes,
      crc: crc32(data),
      size: data.length,
      offset: this.offset,
      dosTime,
      dosDate,
    };
    const large = entry.size >= MAX_32;
    // A local header's sizes live in a zip64 extra field when they do not fit in 32 bits.
    const extra = large ? zip64Extra([entry.size, entry.size]) : Buffer.alloc(0);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(large ? VERSION_45 : VERSION_20, 4);
    header.writeUInt16LE(UTF8_NAMES, 6);
    header.writeUInt16LE(0, 8); // stored
    header.writeUInt16LE(dosTime, 10);
    header.writeUInt16LE(dosDate, 12);
    header.writeUInt32LE(entry.crc, 14);
    header.writeUInt32LE(large ? MAX_32 : entry.size, 18);
    header.writeUInt32LE(large ? MAX_32 : entry.size, 22);
    header.writeUInt16LE(nameBytes.length, 26);
    header.writeUInt16LE(extra.length, 28);
    await this.write(Buffer.concat([header, nameBytes, extra]));
    await this.write(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    this.entries.push(entry);
  }

  /** Writes the central directory and the end records; nothing may be added afterwards. */
  async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    const start = this.offset;
    for (const entry of this.entries) await this.write(centralHeader(entry));
    const size = this.offset - start;
    const count = this.entries.length;
    if (count > MAX_16 || start >= MAX_32 || size >= MAX_32) {
      const record = this.offset;
      const zip64End = Buffer.alloc(56);
      zip64End.writeUInt32LE(0x06064b50, 0);
      zip64End.writeBigUInt64LE(44n, 4); // the record's size after this field
      zip64End.writeUInt16LE(VERSION_45, 12);
      zip64End.writeUInt16LE(VERSION_45, 14);
      zip64End.writeUInt32LE(0, 16);
      zip64End.writeUInt32LE(0, 20);
      zip64End.writeBigUInt64LE(BigInt(count), 24);
      zip64End.writeBigUInt64LE(BigInt(count), 32);
      zip64End.writeBigUInt64LE(BigInt(size), 40);
      zip64End.writeBigUInt64LE(BigInt(start), 48);
      const locator = Buffer.alloc(20);
      locator.writeUInt32LE(0x07064b50, 0);
      locator.writeUInt32LE(0, 4);
      locator.writeBigUInt64LE(BigInt(record), 8);
      locator.writeUInt32LE(1, 16);
      await this.write(Buffer.concat([zip64End, locator]));
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(Math.min(count, MAX_16), 8);
    end.writeUInt16LE(Math.min(count, MAX_16), 10);
    end.writeUInt32LE(Math.min(size, MAX_32), 12);
    end.writeUInt32LE(Math.min(start, MAX_32), 16);
    await this.write(end);
  }

  private async write(chunk: Buffer): Promise<void> {
    this.offset += chunk.length;
    await this.sink(chunk);
  }
}

function centralHeader(entry: Written): Buffer {
  const sizeLarge = entry.size >= MAX_32;
  const offsetLarge = entry.offset >= MAX_32;
  // In this order, and only the values that do not fit (APPNOTE 4.5.3).
  const wide = [...(sizeLarge ? [entry.size, entry.size] : []), ...(offsetLarge ? [entry.offset] : [])];
  const extra = wide.length > 0 ? zip64Extra(wide) : Buffer.alloc(0);
  const version = wide.length > 0 ? VERSION_45 : VERSION_20;
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  // Made by: Unix (3), so unzip tools read the permissions below.
  header.writeUInt16LE((3 << 8) | version, 4);
  header.writeUInt16LE(version, 6);
  header.writeUInt16LE(UTF8_NAMES, 8);
  header.writeUInt16LE(0, 10);
  header.writeUInt16LE(entry.dosTime, 12);
  header.writeUInt16LE(entry.dosDate, 14);
  header.writeUInt32LE(entry.crc, 16);
  header.writeUInt32LE(sizeLarge ? MAX_32 : entry.size, 20);
  header.writeUInt32LE(sizeLarge ? MAX_32 : entry.size, 24);
  header.writeUInt16LE(entry.name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  header.writeUInt16LE(0, 32);
  header.writeUInt16LE(0, 34);
  header.writeUInt16LE(0, 36);
  // A regular file, rw-r--r--.
  header.writeUInt32LE((0o100644 << 16) >>> 0, 38);
  header.writeUInt32LE(offsetLarge ? MAX_32 : entry.offset, 42);
  return Buffer.concat([header, entry.name, extra]);
}

function zip64Extra(values: number[]): Buffer {
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => extra.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return extra;
}

/** MS-DOS date and time as zip stores them: 2-second steps, years 1980–2107 (a date outside is clamped). */
function dosDateTime(when: Date): { dosTime: number; dosDate: number } {
  const date =
    when.getFullYear() < 1980
      ? new Date(1980, 0, 1)
      : when.getFullYear() > 2107
        ? new Date(2107, 11, 31, 23, 59, 58)
        : when;
  return {
    dosTime: (date.getHours() << 11) | (date.getMinutes() << 5) | Math.floor(date.getSeconds() / 2),
    dosDate: ((date.getFullYear() - 1980) << 9) | ((date.getMonth() + 1) << 5) | date.getDate(),
  };
}
