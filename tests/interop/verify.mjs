#!/usr/bin/env node
// Verifies amp signature blocks without amp: Node's built-in crypto for
// SHA-256 and ed25519, and the `canonicalize` package for RFC 8785.
//
// Usage: node verify.mjs PUBLIC_KEY_HEX FILE...
// Prints "OK FILE ..." or "FAIL FILE: reason" per file. Exit status: 0 when
// every file verifies, 1 when any fails, 64 on a usage error.
import crypto from 'node:crypto';
import fs from 'node:fs';

import {
  ALGORITHM,
  CANONICALIZATION,
  UNSIGNED_MEMBERS,
  decodeStrictBase64,
  publicKeyFromHex,
  signedPayload,
  taggedDigest,
} from './signature_block.mjs';

// Returns null when `file` verifies under `publicKey`, else why it does not.
// The checks follow the order amp documents, so a failure names the first
// thing that is wrong.
function findFailure(file, publicKey, publicKeyHexText) {
  let document;
  try {
    // A leading byte order mark is allowed by RFC 8259 and skipped by amp too.
    document = JSON.parse(fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
  } catch (error) {
    return `cannot read JSON: ${error.message}`;
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    return 'not a JSON object';
  }

  const block = document.signature;
  if (block === undefined) return 'no signature block';
  if (block === null || typeof block !== 'object' || Array.isArray(block)) return 'signature is not an object';
  if (block.algorithm !== ALGORITHM) return `algorithm is ${JSON.stringify(block.algorithm)}, expected "${ALGORITHM}"`;
  if (block.canonicalization !== CANONICALIZATION) {
    return `canonicalization is ${JSON.stringify(block.canonicalization)}, expected "${CANONICALIZATION}"`;
  }

  const fields = block.signed_fields;
  if (!Array.isArray(fields) || !fields.every((field) => typeof field === 'string')) {
    return 'signed_fields is not an array of strings';
  }
  const listed = new Set(fields);
  for (const member of Object.keys(document)) {
    if (!UNSIGNED_MEMBERS.has(member) && !listed.has(member)) return `member "${member}" is not in signed_fields`;
  }
  for (const field of fields) {
    if (!Object.hasOwn(document, field)) return `signed_fields names "${field}", which the document lacks`;
  }

  let payload;
  try {
    payload = signedPayload(document, fields);
  } catch (error) {
    return `cannot canonicalize: ${error.message}`;
  }
  const digest = taggedDigest(payload);
  if (block.digest !== digest) return `digest mismatch: computed ${digest}, recorded ${block.digest}`;

  const signature = decodeStrictBase64(block.value);
  if (signature === null || signature.length !== 64) return 'value is not 64 bytes of standard base64';

  // The embedded key is no trust anchor, but when present it must name the key we were given.
  if (block.public_key !== undefined && String(block.public_key).toLowerCase() !== publicKeyHexText.toLowerCase()) {
    return `public_key ${block.public_key} is not the given key`;
  }
  if (!crypto.verify(null, payload, publicKey, signature)) return 'ed25519 signature does not verify';
  return null;
}

function main(argv) {
  if (argv.length < 2) {
    process.stderr.write('usage: node verify.mjs PUBLIC_KEY_HEX FILE...\n');
    return 64;
  }
  const [publicKeyHexText, ...files] = argv;
  let publicKey;
  try {
    publicKey = publicKeyFromHex(publicKeyHexText);
  } catch (error) {
    process.stderr.write(`verify.mjs: ${error.message}\n`);
    return 64;
  }

  let failures = 0;
  for (const file of files) {
    const failure = findFailure(file, publicKey, publicKeyHexText);
    if (failure === null) {
      process.stdout.write(`OK ${file}\n`);
    } else {
      failures += 1;
      process.stdout.write(`FAIL ${file}: ${failure}\n`);
    }
  }
  return failures === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
