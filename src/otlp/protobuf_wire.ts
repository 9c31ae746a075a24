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
 * Builds one protobuf message. Nested messages are written into their own
 * writer and added with {@linkcode ProtoWriter.message}, which prefixes their
 * length; the bytes are only joined once, by {@linkcode ProtoWriter.finish}.
 */
export class ProtoWriter {
  #chunks: Uint8Array[] = [];
  #pending: number[] = [];
  #length = 0;

  /** The number of bytes written so far. */
  get length(): number {
    return this.#length;
  }

  #byte(value: number): void {
    this.#pending.push(value);
    this.#length++;
  }

  #flush(): void {
    if (this.#pending.length > 0) {
      this.#chunks.push(Uint8Array.from(this.#pending));
      this.#pending = [];
    }
  }

  #raw(bytes: Uint8Array): void {
    if (bytes.length < 32) {
      for (const byte of bytes) this.#pending.push(byte);
    } else {
      this.#flush();
      this.#chunks.push(bytes);
    }
    this.#length += bytes.length;
  }

  #varint(value: number | bigint): void {
    if (typeof value === "number" && value >= 0 && value <= 0x7fffffff) {
      let v = value;
      while (v > 0x7f) {
        this.#byte((v & 0x7f) | 0x80);
        v >>>= 7;
      }
      this.#byte(v);
      return;
    }
    let v = BigInt.asUintN(64, BigInt(value));
    while (v > 0x7fn) {
      this.#byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#byte(Number(v));
  }

  #tag(field: number, wire: number): void {
    this.#varint(field * 8 + wire);
  }

  /** A varint field (uint32, int32 ≥ 0, enum, bool); 0 is left out unless `always`. */
  uint(field: number, value: number, always = false): this {
    if (value === 0 && !always) return this;
    this.#tag(field, WIRE_VARINT);
    this.#varint(value);
    return this;
  }

  /** A bool field; written even when false (for a oneof member). */
  bool(field: number, value: boolean): this {
    this.#tag(field, WIRE_VARINT);
    this.#byte(value ? 1 : 0);
    return this;
  }

  /** An int64 field from a decimal string or a bigint (negative: two's complement); always written. */
  int64(field: number, value: string | bigint): this {
    this.#tag(field, WIRE_VARINT);
    this.#varint(BigInt.asIntN(64, BigInt(value)));
    return this;
  }

  /** A fixed64 field from a decimal string (e.g. nanoseconds); "0" is left out. */
  fixed64(field: number, value: string | bigint): this {
    const v = BigInt.asUintN(64, BigInt(value));
    if (v === 0n) return this;
    this.#tag(field, WIRE_I64);
    for (let i = 0n; i < 64n; i += 8n) this.#byte(Number((v >> i) & 0xffn));
    return this;
  }

  /** A double field; always written. */
  double(field: number, value: number): this {
    this.#tag(field, WIRE_I64);
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, value, true);
    this.#raw(bytes);
    return this;
  }

  /** A bytes field; empty is left out unless `always`. */
  bytes(field: number, value: Uint8Array, always = false): this {
    if (value.length === 0 && !always) return this;
    this.#tag(field, WIRE_LEN);
    this.#varint(value.length);
    this.#raw(value);
    return this;
  }

  /** A string field (UTF-8); empty is left out unless `always`. */
  string(field: number, value: string, always = false): this {
    return this.bytes(field, utf8.encode(value), always);
  }

  /** A nested message field, written even when empty (its presence can matter). */
  message(field: number, child: ProtoWriter): this {
    this.#tag(field, WIRE_LEN);
    this.#varint(child.#length);
    child.#flush();
    this.#flush();
    for (const chunk of child.#chunks) this.#chunks.push(chunk);
    this.#length += child.#length;
    child.#chunks = [];
    child.#length = 0;
    return this;
  }

  /** The message's bytes. */
  finish(): Uint8Array {
    this.#flush();
    if (this.#chunks.length === 1) return this.#chunks[0];
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
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
