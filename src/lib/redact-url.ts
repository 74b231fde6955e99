// A URL for messages and logs: its password masked (store URLs carry one).

/** A URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'an invalid URL'
  }
}
