// The zod models by schema key. The source of truth for schemas/ and the generated
// validators; the server and tests use them directly. The CLI's start-up path never imports
// this file (zod costs ~40 ms to load): it uses the generated validators.
import type {z} from 'zod'
import {formatPath} from '../problems.js'
import {schemaKey} from '../registry.js'
import {crossFieldProblems} from '../rules.js'
import {computeManifest} from './compute-v1.js'
import {secretManifest} from './secret-v1.js'
import {stackManifest} from './stack-v1.js'
import {workerManifest} from './worker-v1beta.js'

/** The manifest schema as JSON Schema is generated from it: no cross-field refinements. */
export const SHAPES: Record<string, z.ZodType> = {
  [schemaKey('worker', 'v1beta')]: workerManifest,
  [schemaKey('stack', 'v1')]: stackManifest('v1'),
  [schemaKey('stack', 'v1alpha')]: stackManifest('v1alpha'),
  [schemaKey('secret', 'v1')]: secretManifest,
  [schemaKey('compute', 'v1')]: computeManifest,
}

/** The full model: shape plus the cross-field rules of rules.ts. */
export function modelFor(key: string): z.ZodType | undefined {
  const shape = SHAPES[key]
  return shape?.superRefine((value, ctx) => {
    for (const problem of crossFieldProblems(value as Record<string, unknown>)) {
      if (problem.severity === 'warning') continue // a warning never makes a manifest invalid
      ctx.addIssue({code: 'custom', path: problem.path, message: `${formatPath(problem.path)}: ${problem.detail}`})
    }
  })
}
