// The one base command: shared output handling and the single catch() that turns errors into
// messages and exit codes (heroku-cli-command, sf-plugins-core). Commands hand their flags to
// an action (src/cli/actions) and this class prints the outcome: JSON for `--json` or
// `--output json` (the same document), text otherwise. The fast path (fast-path.ts) runs the
// same actions without oclif and prints through the same functions.
import {Command, Errors} from '@oclif/core'
import {EXIT, ResultExit} from './errors.js'
import {type Action, jsonRequested, makeIo, printOutcome, reportError, runChecked} from './io.js'

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  /** `--output json` means the same as oclif's `--json`. */
  public override jsonEnabled(): boolean {
    return super.jsonEnabled() || jsonRequested(this.argv)
  }

  /** Runs an action and prints its outcome; returns nothing, so that oclif prints nothing more. */
  protected async runAction<F>(action: Action<F>, flags: F): Promise<void> {
    const json = this.jsonEnabled()
    const exitCode = printOutcome(await runChecked(action, flags, makeIo(json)), json)
    if (exitCode !== EXIT.ok) throw new ResultExit(exitCode)
  }

  protected override async catch(error: Error & {oclif?: {exit?: number}}): Promise<never> {
    if (error instanceof ResultExit) return this.exit(error.exitCode)
    // oclif's own errors (an unknown or missing flag, a bad value) are usage errors, printed
    // by commands/index.ts run().
    if (error instanceof Errors.CLIError) throw error
    return this.exit(reportError(error, this.jsonEnabled()))
  }
}
