/**
 * Secret hygiene for everything the Azure adapters say. SAS tokens, account keys, connection
 * strings and bearer tokens must never reach a message, a log event, the journal or an export.
 * Messages are built from our own words plus HTTP status and Azure error codes; `redact` is the
 * second line of defence for any text that did come from elsewhere (a URL, a service message).
 */
const PATTERNS: readonly [RegExp, string][] = [
  // Any URL's query string (SAS tokens live there): keep the path, drop the query.
  [/(\bhttps?:\/\/[^\s?#"'<>]+)\?[^\s#"'<>]*/gi, '$1?<redacted>'],
  // SAS fields wherever they appear on their own.
  [/\b(sig|se|sp|sv|st|spr|srt|ss|sr|skoid|sktid|skt|ske|sks|skv|saoid|suoid|scid)=([^&\s;"']+)/gi, '$1=<redacted>'],
  // Connection-string fields.
  [/\b(AccountKey|SharedAccessSignature|SharedAccessKey)=[^;\s"']*/gi, '$1=<redacted>'],
  // Authorization header values.
  [/\b(SharedKey(?:Lite)?\s+[^:\s]+:)\S+/gi, '$1<redacted>'],
  [/\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/g, '$1 <redacted>'],
];

export function redact(text: string): string {
  let out = text;
  for (const [re, by] of PATTERNS) out = out.replace(re, by);
  return out;
}

/** A URL without its query string and fragment (where SAS tokens live). */
export function stripQuery(url: string): string {
  const q = url.search(/[?#]/);
  return q < 0 ? url : url.slice(0, q);
}
