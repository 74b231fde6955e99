// Secret v1: key/value data for workers (DataOS secret.type key-value / key-value-properties).
import {z} from 'zod'
import {SECRET_KEY_PATTERN} from '../patterns.js'
import {described, metaSection, scalarText} from './common.js'

const secretSection = described(
  z.strictObject({
    type: described(
      z.enum(['key-value', 'key-value-properties', 'cloud-kernel', 'cloud-kernel-image-pull', 'certificates']),
      'key-value: each key is its own value; key-value-properties: all keys together as one properties file.',
      ['key-value'],
    ),
    acl: described(z.enum(['r', 'rw']), 'Access the secret grants: read (r) or read-write (rw).').default('r'),
    data: described(
      z.record(z.string().regex(new RegExp(SECRET_KEY_PATTERN)), scalarText),
      'The secret values, by key. Stored encrypted; never printed unless asked for explicitly by a caller allowed to.',
      [{username: 'app', password: '${DB_PASSWORD}'}],
    ),
  }),
  'The Secret-specific section.',
)

export const secretManifest = z.strictObject({
  ...metaSection('secret', 'v1', 'workspace'),
  secret: secretSection,
})
