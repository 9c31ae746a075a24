/**
 * Secret redaction, compiled once per tracer: values under sensitive key
 * names are replaced whole, and secrets recognised by their shape (API-key
 * prefixes, bearer tokens, JWTs, private keys, credentials in URLs,
 * `password=…` pairs in text) are cut out of any string.
 *
 * Every built-in rule runs in time linear in the string: each regular
 * expression either consumes what it scanned or gives up after a bounded
 * number of characters, and the shapes that cannot be written that way (JWTs,
 * credentials in URLs, `name=value` pairs) are hand-written scanners. Attacker
 * text cannot stall the agent with a crafted string.
 *
 * @module
 */

/** What replaces a redacted value. */
export const REDACTED = "[REDACTED]";

/**
 * Options for redaction.
 *
 * @example Redact an account number by key and by shape
 * ```ts
 * import { readSession, type RedactOptions, Tracer } from "@ai-trace/core";
 *
 * const redact: RedactOptions = { keys: ["account_no"], patterns: [/\bACC-\d{6}\b/] };
 * const tracer = new Tracer("bank_agent", { traceDir: await Deno.makeTempDir(), redact });
 * tracer.step("lookup", { account_no: "12345", note: "see ACC-123456" }, () => {});
 * await tracer.close();
 * const session = await readSession(tracer.path!);
 * console.log(session.steps[0].context); // { account_no: "[REDACTED]", note: "see [REDACTED]" }
 * ```
 */
export interface RedactOptions {
  /**
   * Whether to redact at all: `false` turns redaction off entirely.
   *
   * @default {true}
   */
  enabled?: boolean;
  /**
   * More key names to redact, besides the built-in ones: a string matches a
   * key case-insensitively ignoring `-`, `_` and spaces; a RegExp is tested
   * against the key as written.
   *
   * @default {only the built-in names}
   */
  keys?: (string | RegExp)[];
  /**
   * More value patterns: every match inside any string is replaced. These run
   * as written: a pattern that backtracks badly is the caller's to bound.
   *
   * @default {only the built-in shapes}
   */
  patterns?: RegExp[];
}

// Key names are normalised (lower case, letters and digits only) before this runs.
const SENSITIVE_KEY = new RegExp(
  [
    "password|passwd|passphrase|secret|apikey|accesskey|privatekey|privkey|sshkey|signingkey|encryptionkey",
    "masterkey|licensekey|authorization|authheader|authkey|cookie|credential|bearer|signature|jwt|token$",
    "^auth$|pwd$|(?<!by|com|sur|over|under|tres|encom)pass$|sessionid|sessionkey|^otp$|^pin$|^cvv$|^ssn$",
    // A provider's key: openai_key, STRIPE_KEY, anthropicKey, …
    "(?:openai|anthropic|claude|gemini|google|groq|mistral|cohere|stripe|aws|azure|gcp|github|gitlab|slack" +
    "|hf|huggingface|pinecone|supabase|firebase|sendgrid|twilio|mailgun|datadog|sentry|client|service|app)key$",
  ].join("|"),
);

/**
 * The built-in shapes written as regular expressions, by name. Each one is
 * linear: a greedy run that ends the match when it succeeds, and gives up
 * after a bounded number of characters when it fails (every repetition
 * before the final run is bounded). A shape runs only when its hint, a
 * literal every match contains, is in the string.
 */
const SHAPES: { name: string; hint: string | RegExp; pattern: RegExp; keep?: (match: string) => boolean }[] = [
  { name: "openai", hint: "sk-", pattern: /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g }, // OpenAI, Anthropic
  { name: "stripe", hint: /[srp]k_/, pattern: /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g },
  { name: "aws", hint: "AKIA", pattern: /\bAKIA[0-9A-Z]{16}\b/g },
  { name: "github", hint: /gh[pousr]_/, pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}/g },
  { name: "github-pat", hint: "github_pat_", pattern: /\bgithub_pat_[A-Za-z0-9_]{22,}/g },
  { name: "gitlab", hint: "glpat-", pattern: /\bglpat-[A-Za-z0-9_-]{20,}/g },
  { name: "slack", hint: "xox", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { name: "google", hint: "AIza", pattern: /\bAIza[0-9A-Za-z_-]{35}/g },
  { name: "huggingface", hint: "hf_", pattern: /\bhf_[A-Za-z0-9]{30,}/g },
  { name: "npm", hint: "npm_", pattern: /\bnpm_[A-Za-z0-9]{36}/g },
  // Authorization header values; the space may be URL-encoded (%20 or +).
  { name: "bearer", hint: /bearer/i, pattern: /\bBearer(?:\s|%20|\+){1,8}[A-Za-z0-9._~+/-]{12,}=*/gi },
  {
    name: "basic",
    hint: /basic/i,
    pattern: /\bBasic(?:\s|%20|\+){1,8}[A-Za-z0-9+/]{12,}={0,2}/gi,
    // "basic internationalization" is prose: base64 of user:password mixes cases or digits.
    keep: (match) => /^[a-z]+$|^[A-Z]+$/.test(match.replace(/^\w+(?:\s|%20|\+)+/, "")),
  },
  {
    name: "private-key",
    hint: "-----BEGIN",
    pattern:
      /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----|$)/g,
  },
];

/** The names of the built-in rules: the regular-expression shapes, then the scanners. */
export const BUILT_IN_RULES: readonly string[] = [
  ...SHAPES.map((shape) => shape.name),
  "jwt",
  "url-credentials",
  "key-value",
];

// Every built-in match is at least this long ("pin=12"), so shorter strings skip the scan.
const SHORTEST_SECRET = 6;

// Every match of a shape or scanner above contains one of these literal anchors,
// so a string without any holds no built-in secret. Testing literal alternatives
// is several times cheaper than testing the shapes themselves.
const ANCHORS =
  /sk-|[srp]k_|AKIA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|AIza|hf_|npm_|eyJ|bearer|basic|-----BEGIN|:\/\/|pass|pwd|secret|token|key|auth|cookie|credential|signature|jwt|session|otp|pin|cvv|ssn/i;
// A sensitive name in free text contains one of these (see SENSITIVE_KEY).
const KEY_HINT = /pass|pwd|secret|token|key|auth|cookie|credential|signature|jwt|session|otp|pin|cvv|ssn|bearer/i;

/** A compiled set of redaction rules. */
export interface Redactor {
  /** Whether a value under this key is redacted whole. */
  isSensitiveKey(key: string): boolean;
  /** The string with every secret-shaped part replaced. */
  redactString(text: string): string;
  /** Strings shorter than this hold no secret these rules can find. */
  readonly shortest: number;
}

/** A redactor that redacts nothing. */
export const NO_REDACTION: Redactor = {
  isSensitiveKey: () => false,
  redactString: (text) => text,
  shortest: Infinity,
};

/**
 * Compiles redaction rules into a {@linkcode Redactor}. Key decisions are
 * cached, since the same keys come back on every step.
 */
export function createRedactor(options: RedactOptions = {}): Redactor {
  if (options.enabled === false) return NO_REDACTION;
  const extraNames = new Set<string>();
  const extraKeyPatterns: RegExp[] = [];
  for (const key of options.keys ?? []) {
    if (typeof key === "string") extraNames.add(normalizeKey(key));
    else extraKeyPatterns.push(new RegExp(key.source, key.flags.replace(/[gy]/g, "")));
  }
  const extra = options.patterns ?? [];
  const userShapes = extra.map((p) => new RegExp(p.source, p.flags.includes("g") ? p.flags : p.flags + "g"));
  const shortest = extra.length ? 1 : SHORTEST_SECRET;
  // Tested first: most strings hold no secret, and one scan of literal anchors is
  // cheaper than all the shapes. The user's patterns and key names are tested as they are.
  const userTests = extra.map((p) => new RegExp(p.source, p.flags.replace(/[gy]/g, "")));
  const userKeys = extraNames.size > 0 || extraKeyPatterns.length > 0;
  const any = (text: string): boolean =>
    ANCHORS.test(text) || (userKeys && /[:=]/.test(text)) || userTests.some((pattern) => pattern.test(text));
  const cache = new Map<string, boolean>();
  const isSensitiveKey = (key: string): boolean => {
    let sensitive = cache.get(key);
    if (sensitive === undefined) {
      const normalized = normalizeKey(key);
      sensitive = SENSITIVE_KEY.test(normalized) || extraNames.has(normalized) ||
        extraKeyPatterns.some((pattern) => pattern.test(key));
      if (cache.size < 10_000) cache.set(key, sensitive);
    }
    return sensitive;
  };

  return {
    isSensitiveKey,
    shortest,
    redactString(text: string): string {
      if (text.length < shortest || !any(text)) return text;
      for (const { hint, pattern, keep } of SHAPES) {
        if (typeof hint === "string" ? !text.includes(hint) : !hint.test(text)) continue;
        text = keep
          ? text.replace(pattern, (match) => keep(match) ? match : REDACTED)
          : text.replace(pattern, REDACTED);
      }
      if (text.includes("eyJ")) text = redactJwts(text);
      if (text.includes("://")) text = redactUrlCredentials(text);
      if (userKeys || KEY_HINT.test(text)) text = redactKeyValues(text, isSensitiveKey);
      for (const shape of userShapes) text = text.replace(shape, REDACTED);
      return text;
    },
  };
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "");
}

/** Rebuilds `text` with the given [start, end) ranges replaced, in order. */
function splice(text: string, ranges: number[]): string {
  if (ranges.length === 0) return text;
  let out = "";
  let last = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    out += text.slice(last, ranges[i]) + REDACTED;
    last = ranges[i + 1];
  }
  return out + text.slice(last);
}

// A-Z a-z 0-9 _ -: the characters of a JWT segment (base64url).
function isBase64Url(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * JSON Web Tokens: `eyJ…` (at a word boundary), `.eyJ…`, `.…`, each segment
 * at least 8 characters after its prefix. One pass over the segments of each
 * base64url run: a regular expression would rescan a run like `eyJ-eyJ-…`
 * from every `eyJ` in it.
 */
function redactJwts(text: string): string {
  if (!text.includes("eyJ")) return text;
  const ranges: number[] = [];
  const n = text.length;
  // Segments: maximal base64url runs; dots separate segments of one candidate.
  let i = 0;
  const starts: number[] = []; // start and end of each segment in the current dotted run
  while (i < n) {
    if (!isBase64Url(text.charCodeAt(i))) {
      i++;
      continue;
    }
    // A dotted run: segment(.segment)*
    starts.length = 0;
    let j = i;
    for (;;) {
      const s = j;
      while (j < n && isBase64Url(text.charCodeAt(j))) j++;
      starts.push(s, j);
      if (j < n && text.charCodeAt(j) === 46 && j + 1 < n && isBase64Url(text.charCodeAt(j + 1))) j++;
      else break;
    }
    const count = starts.length / 2;
    for (let k = 0; k + 2 < count; k++) {
      const segStart = starts[2 * k], segEnd = starts[2 * k + 1];
      // The header: the first "eyJ" in the segment at a word boundary (segment start or after "-").
      let header = -1;
      for (let p = segStart; p + 3 <= segEnd; p++) {
        if (
          text.charCodeAt(p) === 101 && text.startsWith("eyJ", p) &&
          (p === segStart ? p === 0 || !isWordChar(text.charCodeAt(p - 1)) : text.charCodeAt(p - 1) === 45)
        ) {
          header = p;
          break;
        }
      }
      if (header < 0 || segEnd - header < 11) continue;
      const payloadStart = starts[2 * k + 2], payloadEnd = starts[2 * k + 3];
      if (!text.startsWith("eyJ", payloadStart) || payloadEnd - payloadStart < 11) continue;
      const sigStart = starts[2 * k + 4], sigEnd = starts[2 * k + 5];
      if (sigEnd - sigStart < 8) continue;
      ranges.push(header, sigEnd);
      k += 2;
    }
    i = j;
  }
  return splice(text, ranges);
}

// Where the authority of a URL ends: whitespace, / ? # and characters that end a URL in text.
function endsAuthority(c: number): boolean {
  return c <= 32 || c === 47 || c === 63 || c === 35 || c === 34 || c === 60 || c === 62 || c === 92 ||
    c === 96 || c === 0x7f;
}

/**
 * Credentials in URLs: `scheme://user:password@host` and `scheme://KEY@host`
 * (Sentry DSNs); everything before the last `@` of the authority is cut, so a
 * password holding `@` goes whole. One pass: each authority is scanned once.
 */
function redactUrlCredentials(text: string): string {
  const ranges: number[] = [];
  let from = 0;
  for (;;) {
    const at = text.indexOf("://", from);
    if (at < 0) break;
    const start = at + 3;
    let end = start;
    let lastAt = -1;
    while (end < text.length) {
      const c = text.charCodeAt(end);
      if (endsAuthority(c)) break;
      if (c === 64) lastAt = end;
      end++;
    }
    if (lastAt > start && at > 0 && /[A-Za-z0-9+.-]/.test(text[at - 1])) ranges.push(start, lastAt);
    from = end;
  }
  return splice(text, ranges);
}

// A name and what joins it to its value: `password=`, `Password: `, `"api_key": "`,
// `"Authorization", "` (a header pair written out). The name starts a run of name
// characters (no backtracking into a run) and is bounded, so a failed attempt costs
// at most 64 characters.
const KEY_VALUE = /(?<![\w.-])([A-Za-z][\w.-]{0,63})(["']?)[ \t]{0,4}(=|:|,(?=[ \t]{0,4}["']))[ \t]{0,4}(["']?)/g;
// An authorization scheme before the credential: "Authorization: Token abc".
const SCHEME = /(?:Basic|Bearer|Token|Digest|Bot|ApiKey|Key)(?:[ \t]|%20|\+){1,8}/iy;

/**
 * `name=value` and `name: value` pairs in free text whose name is a
 * sensitive key: query strings (`?api_key=…`), connection strings
 * (`Password=…;`), error messages and stacks (`password=…`), headers
 * (`Authorization: Token …`), JSON written into a string. The value ends at
 * its closing quote when quoted, else at whitespace or `& ; , < > ) } ] #`.
 */
function redactKeyValues(text: string, isSensitiveKey: (key: string) => boolean): string {
  if (!text.includes("=") && !text.includes(":") && !text.includes(",")) return text;
  const ranges: number[] = [];
  KEY_VALUE.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = KEY_VALUE.exec(text)) !== null) {
    const [, name, nameQuote, separator, valueQuote] = match;
    if (separator === "," && nameQuote === "") continue;
    if (!isSensitiveKey(name)) continue;
    let start = KEY_VALUE.lastIndex;
    let end = start;
    if (valueQuote !== "") {
      const q = valueQuote.charCodeAt(0);
      while (end < text.length) {
        const c = text.charCodeAt(end);
        if (c === q || c === 10 || c === 13) break;
        if (c === 92) end++; // a backslash escapes the next character
        end++;
      }
      if (end > text.length) end = text.length;
    } else {
      SCHEME.lastIndex = start;
      if (SCHEME.test(text)) start = SCHEME.lastIndex;
      end = start;
      while (end < text.length && !endsValue(text.charCodeAt(end))) end++;
    }
    if (end > start && !text.startsWith(REDACTED, start)) ranges.push(start, end);
    KEY_VALUE.lastIndex = Math.max(end, KEY_VALUE.lastIndex);
  }
  return splice(text, ranges);
}

// Whitespace & ; , < > ) } ] # " ' `: where an unquoted value ends.
function endsValue(c: number): boolean {
  return c <= 32 || c === 38 || c === 59 || c === 44 || c === 60 || c === 62 || c === 41 || c === 125 ||
    c === 93 || c === 35 || c === 34 || c === 39 || c === 96;
}
