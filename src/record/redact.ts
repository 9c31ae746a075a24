/**
 * Secret redaction, compiled once per tracer: values under sensitive key
 * names are replaced whole, and secrets recognised by their shape (API-key
 * prefixes, bearer tokens, JWTs, private keys) are cut out of any string.
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
   * More value patterns: every match inside any string is replaced.
   *
   * @default {only the built-in shapes}
   */
  patterns?: RegExp[];
}

// Key names are normalised (lower case, letters and digits only) before these run.
const SENSITIVE_KEY =
  /password|passwd|passphrase|secret|apikey|accesskey|privatekey|authorization|cookie|credential|bearer|signature|token$|^auth$|^pwd$|^pass$|sessionid|sessionkey|^otp$|^pin$|^cvv$|^ssn$/;

/** Value shapes of well-known secrets. */
const SECRET_SHAPES: RegExp[] = [
  /\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}/g, // OpenAI, Anthropic
  /\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{16,}/g, // Stripe
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\bgh[pousr]_[A-Za-z0-9]{36,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{22,}/g,
  /\bglpat-[A-Za-z0-9_-]{20,}/g, // GitLab
  /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, // Slack
  /\bAIza[0-9A-Za-z_-]{35}/g, // Google API key
  /\bhf_[A-Za-z0-9]{30,}/g, // Hugging Face
  /\bnpm_[A-Za-z0-9]{36}/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, // JWT
  /\bBearer\s+[A-Za-z0-9._~+/-]{12,}=*/gi, // Authorization header values
  /\bBasic\s+[A-Za-z0-9+/]{16,}={0,2}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:[^\s@/]+@/gi, // credentials in URLs
];

// Every shape above is at least this long, so shorter strings skip the scan.
const SHORTEST_SECRET = 12;

// Every match of a shape above contains one of these literal anchors (Bearer in
// any case), so a string without any holds no built-in secret. Testing literal
// alternatives is several times cheaper than testing the shapes themselves.
const ANCHORS =
  /sk-|[srp]k_|AKIA|gh[pousr]_|github_pat_|glpat-|xox[abposr]-|AIza|hf_|npm_|eyJ|[Bb][Ee][Aa][Rr][Ee][Rr]|Basic|-----BEGIN|:\/\//;

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
  const shapes = [
    ...SECRET_SHAPES,
    ...(options.patterns ?? []).map((p) => new RegExp(p.source, p.flags.includes("g") ? p.flags : p.flags + "g")),
  ];
  const extra = options.patterns ?? [];
  const shortest = extra.length ? 1 : SHORTEST_SECRET;
  // Tested first: most strings hold no secret, and one scan of literal anchors is
  // cheaper than fourteen of the shapes. The user's patterns are tested as they are.
  const userTests = extra.map((p) => new RegExp(p.source, p.flags.replace(/[gy]/g, "")));
  const any = userTests.length === 0
    ? (text: string) => ANCHORS.test(text)
    : (text: string) => ANCHORS.test(text) || userTests.some((pattern) => pattern.test(text));
  const cache = new Map<string, boolean>();

  return {
    isSensitiveKey(key: string): boolean {
      let sensitive = cache.get(key);
      if (sensitive === undefined) {
        const normalized = normalizeKey(key);
        sensitive = SENSITIVE_KEY.test(normalized) || extraNames.has(normalized) ||
          extraKeyPatterns.some((pattern) => pattern.test(key));
        if (cache.size < 10_000) cache.set(key, sensitive);
      }
      return sensitive;
    },
    shortest,
    redactString(text: string): string {
      if (text.length < shortest || !any(text)) return text;
      for (const shape of shapes) text = text.replace(shape, REDACTED);
      return text;
    },
  };
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, "");
}
