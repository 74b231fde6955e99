// The YAML printer, behind a module of its own so that commands can load it on demand
// (`await import('./yaml.js')`; a dynamic import of the CommonJS yaml package itself would
// lose its named exports in the bundle).
export {stringify} from 'yaml'
