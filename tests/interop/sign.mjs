#!/usr/bin/env node
// Signs a JSON document the way amp does, without amp, so amp's verifier can
// be checked against signatures it did not make.
//
// Usage: node sign.mjs PRIVATE_KEY_PEM KEY_ID INPUT OUTPUT
// PRIVATE_KEY_PEM is an ed25519 PKCS#8 key (`openssl genpkey -algorithm
// ed25519`). Any existing signature block of INPUT is replaced; OUTPUT gets
// the document with 2-space indentation and a trailing newline. Exit status:
// 0 on success, 1 when the input cannot be read or signed, 64 on a usage error.
import crypto from 'node:crypto';
import fs from 'node:fs';

import {
  ALGORITHM,
  CANONICALIZATION,
  UNSIGNED_MEMBERS,
  publicKeyHex,
  signedPayload,
  taggedDigest,
} from './signature_block.mjs';

const SIGNER = 'interop-node';

// Returns `document` with a new signature block over every member except
// `signature` and `$schema`, placed last.
function signDocument(document, privateKey, keyId, createdAt) {
  const unsigned = { ...document };
  delete unsigned.signature;

  const fields = Object.keys(unsigned).filter((member) => !UNSIGNED_MEMBERS.has(member));
  const payload = signedPayload(unsigned, fields);
  const signature = crypto.sign(null, payload, privateKey);

  unsigned.signature = {
    algorithm: ALGORITHM,
    key_id: keyId,
    signer: SIGNER,
    canonicalization: CANONICALIZATION,
    signed_fields: fields,
    created_at: createdAt,
    digest: taggedDigest(payload),
    value: signature.toString('base64'),
    public_key: publicKeyHex(crypto.createPublicKey(privateKey)),
  };
  return unsigned;
}

function main(argv) {
  if (argv.length !== 4) {
    process.stderr.write('usage: node sign.mjs PRIVATE_KEY_PEM KEY_ID INPUT OUTPUT\n');
    return 64;
  }
  const [keyFile, keyId, input, output] = argv;
  try {
    const privateKey = crypto.createPrivateKey(fs.readFileSync(keyFile));
    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw new Error(`${keyFile} contains a ${privateKey.asymmetricKeyType} key, not ed25519`);
    }
    const document = JSON.parse(fs.readFileSync(input, 'utf8'));
    if (document === null || typeof document !== 'object' || Array.isArray(document)) {
      throw new Error(`${input} is not a JSON object`);
    }

    // RFC 3339 UTC without fractional seconds, like amp's own timestamps.
    const createdAt = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const signed = signDocument(document, privateKey, keyId, createdAt);
    fs.writeFileSync(output, JSON.stringify(signed, null, 2) + '\n');
  } catch (error) {
    process.stderr.write(`sign.mjs: ${error.message}\n`);
    return 1;
  }
  process.stdout.write(`signed ${output} with key ${keyId}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
