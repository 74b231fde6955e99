// Loaded with `node --import` in front of tools that need TypeScript's JavaScript compiler API
// (dependency-cruiser): TypeScript 7 has none, so their `typescript` resolves to 5.9 (the dev
// dependency `typescript5`), for import and require alike. The project itself still compiles
// with TypeScript 7.
import {registerHooks} from 'node:module'

registerHooks({
  resolve(specifier, context, next) {
    const to =
      specifier === 'typescript' || specifier.startsWith('typescript/')
        ? `typescript5${specifier.slice(10)}`
        : specifier
    return next(to, context)
  },
})
