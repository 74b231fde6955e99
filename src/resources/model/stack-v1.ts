// Stack v1 (and DataOS's v1alpha spelling of it): a runnable program. DataOS's field names are
// kept inside `stack:` (research/dataos-spec.md §3) so that DataOS Stack manifests validate.
import {z} from 'zod'
import {ENV_NAME_PATTERN, VERSION_TEXT_PATTERN} from '../patterns.js'
import {described, metaSection, resourceName, scalarText, stringList} from './common.js'

const template = (what: string) => described(z.string(), what)

const stackSection = described(
  z.strictObject({
    name: resourceName('Stack name that workers use in worker.stack'),
    flavor: resourceName('Flavor, for stacks with variants (worker.stack: name+flavor:version)').optional(),
    version: described(
      z.string().regex(new RegExp(VERSION_TEXT_PATTERN)),
      'Stack version, as text (quote it: "1.0").',
      ['1.0'],
    ),
    reconciler: described(z.string(), 'DataOS reconciler name; accepted and ignored by drover.').optional(),
    dataOsAddressJqFilters: stringList(
      'jq paths of dataos:// addresses in the stackSpec (DataOS); accepted and recorded.',
    ).optional(),
    secretProjection: described(
      z.strictObject({type: described(z.enum(['envVars', 'propFile']), 'envVars or propFile.').optional()}),
      'How resolved secrets are handed to the program by default.',
    ).optional(),
    image: described(
      z.strictObject({
        registry: described(z.string(), 'Image registry.').optional(),
        repository: described(z.string(), 'Image repository.').optional(),
        image: described(z.string(), 'Image name.').optional(),
        tag: described(z.string(), 'Image tag.').optional(),
        auth: described(
          z.strictObject({imagePullSecret: described(z.string(), 'Pull secret name.').optional()}),
          'Registry credentials.',
        ).optional(),
      }),
      'Container image, for the Kubernetes runtime.',
    ).optional(),
    command: stringList('Program and fixed leading arguments; templates such as {{.ConfigDir}} are expanded.', [
      ['node'],
    ]).optional(),
    arguments: stringList('Arguments after command; templates such as {{.StackSpecFile}} are expanded.', [
      ['{{.StackSpecFile}}'],
    ]).optional(),
    environmentVars: described(
      z.record(z.string().regex(new RegExp(ENV_NAME_PATTERN)), scalarText),
      'Environment variables set for every worker of this stack.',
    ).optional(),
    ports: described(
      z.strictObject({
        name: described(z.string(), 'Port name.').optional(),
        servicePort: described(z.int().min(1).max(65535), 'Service port.').optional(),
        targetPort: described(z.int().min(1).max(65535), 'Container port.').optional(),
      }),
      'Ports (DataOS services); accepted and recorded.',
    ).optional(),
    stackSpecValueSchema: described(
      z.strictObject({
        jsonSchema: described(
          z.union([z.string(), z.record(z.string(), z.unknown())]),
          "JSON Schema (text or mapping) that a worker's stackSpec must satisfy; enforced at apply.",
        ).optional(),
      }),
      'Schema of the stackSpec this stack accepts.',
    ).optional(),
    workerConfig: described(
      z.strictObject({
        configFileTemplate: template(
          'Template of the files written into the config folder (default: the stackSpec as jobconfig.yaml).',
        ).optional(),
        containerResourceTemplate: template('Kubernetes container template (Kubernetes runtime).').optional(),
        resourceTemplate: template('Kubernetes resource template (Kubernetes runtime).').optional(),
      }),
      'How workers run this stack.',
    ).optional(),
    serviceConfig: described(
      z.record(z.string(), z.unknown()),
      'DataOS service settings; accepted and ignored.',
    ).optional(),
    workflowJobConfig: described(
      z.record(z.string(), z.unknown()),
      'DataOS workflow settings; accepted and ignored.',
    ).optional(),
  }),
  'The Stack-specific section.',
)

export const stackManifest = (version: 'v1' | 'v1alpha') =>
  z.strictObject({
    ...metaSection('stack', version, 'instance'),
    stack: stackSection,
  })
