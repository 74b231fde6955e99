// A JSON object as parsed (keys to unknown values) and the test for one.

export type Json = Record<string, unknown>

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)
