import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';

/** What an agent signs to prove itself: the hub's fresh nonce and the token or host id it claims. */
export const helloMessage = (nonce: string, subject: string): Buffer =>
  Buffer.from(`berth-agent-v1:${nonce}:${subject}`, 'utf8');

export const randomToken = (): string => randomBytes(32).toString('base64url');
export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** A new Ed25519 key pair as PEM: PKCS#8 private key (the agent's only secret), SPKI public key. */
export function newKeyPair(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

export const publicKeyOf = (privateKeyPem: string): string =>
  createPublicKey(createPrivateKey(privateKeyPem)).export({ type: 'spki', format: 'pem' }).toString();

export const signHello = (privateKeyPem: string, nonce: string, subject: string): string =>
  sign(null, helloMessage(nonce, subject), createPrivateKey(privateKeyPem)).toString('base64url');

/** Whether `signature` is the holder of `publicKeyPem`'s over the hello; false for any malformed input. */
export function verifyHello(
  publicKeyPem: string,
  nonce: string,
  subject: string,
  signature: string,
): boolean {
  try {
    const key = createPublicKey(publicKeyPem);
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(null, helloMessage(nonce, subject), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
/** `h_` and 10 base32 characters (50 random bits). */
export function newHostId(): string {
  const bytes = randomBytes(10);
  let out = 'h_';
  for (const b of bytes) out += BASE32[b % 32];
  return out;
}
