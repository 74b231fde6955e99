// A real headless Chromium for the Operations page's tests: Debian's /usr/bin/chromium driven by
// playwright-core (no browser download). Without it a plain `npm test` prints one loud line and
// skips those tests; under DROVER_REQUIRE_CHROMIUM=1 (.ci/run, which installs it) it fails.
import {existsSync} from 'node:fs'
import type {Browser} from 'playwright-core'

const CHROMIUM = '/usr/bin/chromium'
export const chromiumAvailable = existsSync(CHROMIUM)

if (!chromiumAvailable) {
  if (process.env.DROVER_REQUIRE_CHROMIUM === '1')
    throw new Error(`Chromium is required (DROVER_REQUIRE_CHROMIUM=1) but ${CHROMIUM} is not there`)
  console.warn('!!! Operations page browser tests SKIPPED: no Chromium here (apt-get install chromium)')
}

/** Headless, offline: no sandbox (root in a container), no GPU, no background traffic (a fresh profile each time). */
export async function launchChromium(): Promise<Browser> {
  const {chromium} = await import('playwright-core')
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}
