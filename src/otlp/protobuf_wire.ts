/**
 * The protobuf wire format, just what OTLP needs: a writer that builds a
 * message from fields (varints, fixed64, doubles, length-delimited bytes and
 * nested messages) and a reader that walks a message's fields. No schema, no
 * reflection, no dependencies: the OTLP messages themselves are spelled out
 * in `otlp_protobuf.ts`.
 *
 * @module
 */

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const MASK64 = (1n << 64n) - 1n;
const utf8 = new TextEncoder();

/**
 * Builds one protobuf message into a single growing buffer. A nested message
 * is written in place between {@linkcode ProtoWriter.begin} (which reserves
 * one byte for its length) and {@linkcode ProtoWriter.end} (which writes the
 * length, moving the message's bytes when the length needs more than one
 * byte), so nothing is copied per level but the few large messages.
 */
export class ProtoWriter {
  #buf: Uint8Array = new Uint8Array(4096);
  #view: DataView = new DataView(this.#buf.buffer);
  #pos = 0;

  /** The number of bytes written so far. */
  get length(): number {
    return this.#pos;
  }

  #reserve(extra: number): void {
    if (this.#pos + extra <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.#buf.subarray(0, this.#pos));
    this.#buf = grown;
    this.#view = new DataView(grown.buffer);
  }

  /** A non-negative integer as a varint (exact up to 2^53). */
  #varint(value: number): void {
    this.#reserve(10);
    let v = value;
    while (v > 0x7f) {
      this.#buf[this.#pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.#buf[this.#pos++] = v;
  }

  #bigVarint(value: bigint): void {
    this.#reserve(10);
    let v = BigInt.asUintN(64, value);
    while (v > 0x7fn) {
      this.#buf[this.#pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buf[this.#pos++] = Number(v);
  }

  #tag(field: number, wire: number): void {
    this.#varint(field * 8 + wire);
  }

  /** A varint field (uint32, int32 ≥ 0, enum); 0 is left out unless `always`. */
  uint(field: number, value: number, always = false): this {
    if (value === 0 && !always) return this;
    this.#tag(field, WIRE_VARINT);
    this.#varint(value);
    return this;
  }

  /** A bool field; written even when false (for a oneof member). */
  bool(field: number, value: boolean): this {
    this.#tag(field, WIRE_VARINT);
    this.#varint(value ? 1 : 0);
    return this;
  }

  /** An int64 field from a decimal string (negative: two's complement); always written. */
  int64(field: number, value: string): this {
    this.#tag(field, WIRE_VARINT);
    const n = Number(value);
    if (Number.isSafeInteger(n) && n >= 0) this.#varint(n);
    else this.#bigVarint(BigInt.asIntN(64, BigInt(value)));
    return this;
  }

  /** A fixed64 field from a decimal string (e.g. nanoseconds); "0" is left out. */
  fixed64(field: number, value: string): this {
    const v = BigInt.asUintN(64, BigInt(value));
    if (v === 0n) return this;
    this.#tag(field, WIRE_I64);
    this.#reserve(8);
    this.#view.setUint32(this.#pos, Number(v & 0xffffffffn), true);
    this.#view.setUint32(this.#pos + 4, Number(v >> 32n), true);
    this.#pos += 8;
    return this;
  }

  /** A double field; always written. */
  double(field: number, value: number): this {
    this.#tag(field, WIRE_I64);
    this.#reserve(8);
    this.#view.setFloat64(this.#pos, value, true);
    this.#pos += 8;
    return this;
  }

  /** A bytes field; empty is left out unless `always`. */
  bytes(field: number, value: Uint8Array, always = false): this {
    if (value.length === 0 && !always) return this;
    this.#tag(field, WIRE_LEN);
    this.#varint(value.length);
    this.#reserve(value.length);
    this.#buf.set(value, this.#pos);
    this.#pos += value.length;
    return this;
  }

  /** A string field (UTF-8, encoded in place); empty is left out unless `always`. */
  string(field: number, value: string, always = false): this {
    if (value.length === 0 && !always) return this;
    this.#tag(field, WIRE_LEN);
    if (value.length < 128 && this.#ascii(value)) return this;
    const most = value.length * 3; // UTF-8 bytes per UTF-16 unit, at most
    const room = varintSize(most);
    this.#reserve(room + most);
    const start = this.#pos;
    const { written } = utf8.encodeInto(value, this.#buf.subarray(start + room, start + room + most));
    const size = varintSize(written);
    if (size < room) this.#buf.copyWithin(start + size, start + room, start + room + written);
    this.#pos = start;
    this.#varint(written);
    this.#pos = start + size + written;
    return this;
  }

  /** Writes a short string's length and bytes if it is all ASCII (the common case: keys, names, ids). */
  #ascii(value: string): boolean {
    const length = value.length;
    this.#reserve(1 + length);
    const buf = this.#buf;
    const start = this.#pos + 1;
    for (let i = 0; i < length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) return false;
      buf[start + i] = code;
    }
    buf[this.#pos] = length;
    this.#pos = start + length;
    return true;
  }

  /**
   * Starts a nested message field: writes its tag and reserves a byte for its
   * length. Write the message's fields, then call {@linkcode end} with what this returned.
   */
  begin(field: number): number {
    this.#tag(field, WIRE_LEN);
    this.#reserve(1);
    return this.#pos++;
  }

  /** Ends the nested message begun at `mark`: writes its length before it. */
  end(mark: number): void {
    const length = this.#pos - mark - 1;
    const size = varintSize(length);
    if (size > 1) {
      this.#reserve(size - 1);
      this.#buf.copyWithin(mark + size, mark + 1, this.#pos);
      this.#pos += size - 1;
    }
    const end = this.#pos;
    this.#pos = mark;
    this.#varint(length);
    this.#pos = end;
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}

function varintSize(value: number): number {
  let size = 1;
  for (let v = value; v > 0x7f; v = Math.floor(v / 128)) size++;
  return size;
}

/** Thrown when bytes are not a well-formed protobuf message. */
export class ProtoDecodeError extends SyntaxError {
  /**
   * Creates the error.
   *
   * @param message What is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "ProtoDecodeError";
  }
}

/** One field as read off the wire. */
export interface ProtoField {
  /** The field number. */
  field: number;
  /** The wire type: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  wire: number;
  /** A varint's or a fixed64's value (wire 0 and 1), or a fixed32's (wire 5). */
  int: bigint;
  /** A length-delimited field's bytes (wire 2), a view into the message. */
  bytes: Uint8Array;
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: false });

/** Walks the fields of one message; unknown fields are the caller's to skip. */
export function* readFields(message: Uint8Array): Generator<ProtoField> {
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (at >= message.length) throw new ProtoDecodeError("a varint runs past the end of the message");
      const byte = message[at++];
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result & MASK64;
    }
    throw new ProtoDecodeError("a varint is longer than 10 bytes");
  };
  const fixed = (size: number): bigint => {
    if (at + size > message.length) throw new ProtoDecodeError("a fixed-size field runs past the end of the message");
    let result = 0n;
    for (let i = size - 1; i >= 0; i--) result = (result << 8n) | BigInt(message[at + i]);
    at += size;
    return result;
  };
  const empty = new Uint8Array(0);
  while (at < message.length) {
    const key = varint();
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) throw new ProtoDecodeError("field number 0");
    if (wire === WIRE_VARINT) yield { field, wire, int: varint(), bytes: empty };
    else if (wire === WIRE_I64) yield { field, wire, int: fixed(8), bytes: empty };
    else if (wire === WIRE_I32) yield { field, wire, int: fixed(4), bytes: empty };
    else if (wire === WIRE_LEN) {
      const length = Number(varint());
      if (at + length > message.length) throw new ProtoDecodeError("a length-delimited field runs past the end");
      yield { field, wire, int: 0n, bytes: message.subarray(at, at + length) };
      at += length;
    } else throw new ProtoDecodeError(`unsupported wire type ${wire}`);
  }
}

/** A length-delimited field's bytes as UTF-8 text. */
export function fieldText(field: ProtoField): string {
  return utf8Decoder.decode(field.bytes);
}

/** A fixed64 field's bits as a double. */
export function fieldDouble(field: ProtoField): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, field.int, true);
  return view.getFloat64(0, true);
}
