// The parts of amp's signature block that signing and verifying share,
// written from the format description alone, without amp's code. The payload
// is the RFC 8785 (JCS) form of an object containing exactly the
// signed_fields members. The digest is "sha256:" + hex SHA-256 of the
// payload, and the value is the ed25519 signature of the payload itself.
import crypto from 'node:crypto';

import canonicalize from 'canonicalize';

export const ALGORITHM = 'ed25519';
export const CANONICALIZATION = 'JCS-RFC8785';

// Top-level members that are never signed.
export const UNSIGNED_MEMBERS = new Set(['signature', '$schema']);

// DER header of an ed25519 SubjectPublicKeyInfo (RFC 8410): SEQUENCE,
// AlgorithmIdentifier with OID 1.3.101.112, then a BIT STRING of 32 bytes.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// Builds a Node KeyObject from 64 hex characters of a raw ed25519 public key.
// Throws on anything else, so a typo in a key never verifies.
export function publicKeyFromHex(hex) {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new Error(`public key must be 64 hex characters, got ${JSON.stringify(hex)}`);
  }
  const raw = Buffer.from(hex, 'hex');
  return crypto.createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

// Returns the 64 lowercase hex characters of the raw public key in `keyObject`.
export function publicKeyHex(keyObject) {
  const der = keyObject.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32).toString('hex');
}

// Returns the payload bytes for `fields` of `document`: the canonical UTF-8
// form of an object containing exactly those members.
export function signedPayload(document, fields) {
  const selected = {};
  for (const field of fields) {
    selected[field] = document[field];
  }
  return Buffer.from(canonicalize(selected), 'utf8');
}

// Returns "sha256:" + lowercase hex SHA-256 of `payload`.
export function taggedDigest(payload) {
  return 'sha256:' + crypto.createHash('sha256').update(payload).digest('hex');
}

// Decodes standard base64 with padding, returning null for any other
// text, because Buffer.from(text, 'base64') silently skips bad characters.
export function decodeStrictBase64(text) {
  if (typeof text !== 'string' || text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) {
    return null;
  }
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}
