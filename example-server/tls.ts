/** A self-signed certificate made at start-up (openssl), and the pin Chromium can trust it by. */
import { execFileSync } from 'node:child_process'
import { createHash, X509Certificate } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A key and certificate for `*.<domain>`, and its SPKI pin for Chromium. */
export interface TestCertificate {
  readonly key: string
  readonly cert: string
  /** base64 SHA-256 of the SubjectPublicKeyInfo, for `--ignore-certificate-errors-spki-list`. */
  readonly spki: string
}

/** Make a certificate for `names` (default `<domain>` and `*.<domain>`) with `openssl`. */
export function makeCertificate(
  domain: string,
  names: readonly string[] = [domain, `*.${domain}`],
): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'corbado-e2e-tls-'))
  try {
    const keyPath = join(dir, 'key.pem')
    const certPath = join(dir, 'cert.pem')
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-subj',
        `/CN=${domain}`,
        '-addext',
        `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`,
        '-keyout',
        keyPath,
        '-out',
        certPath,
      ],
      { stdio: 'ignore' },
    )
    const cert = readFileSync(certPath, 'utf8')
    const spkiDer = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' })
    return {
      key: readFileSync(keyPath, 'utf8'),
      cert,
      spki: createHash('sha256').update(spkiDer).digest('base64'),
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
