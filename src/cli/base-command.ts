// The one base command: shared output handling and the single catch() that turns errors into
// messages and exit codes (heroku-cli-command, sf-plugins-core). Commands return data; this
// class prints it as JSON (`--json` or `--output json`, the same document) or renders it.
import {Command, Errors} from '@oclif/core'
import {DroverError, EXIT, ResultExit} from './errors.js'
import {colorEnabled, red} from './output/style.js'

export abstract class BaseCommand extends Command {
  static override enableJsonFlag = true

  /** `--output json` means the same as oclif's `--json`. */
  public override jsonEnabled(): boolean {
    if (super.jsonEnabled()) return true
    const argv = this.argv
    const i = argv.findIndex((a) => a === '--output' || a.startsWith('--output='))
    if (i === -1) return false
    return (argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1]) === 'json'
  }

  /** Notes for people go to stderr, so that stdout stays data. */
  protected note(message: string): void {
    process.stderr.write(`${message}\n`)
  }

  /**
   * Prints `data` (JSON, or `render(data)` for people) and ends the command with `exitCode`.
   * With exit code 0 the data is returned and oclif prints the JSON; otherwise it is printed
   * here, because oclif prints nothing for a command that ends in an error.
   */
  protected finish<T>(data: T, render: (data: T) => string, exitCode: number = EXIT.ok): T {
    if (exitCode === EXIT.ok) {
      if (!this.jsonEnabled()) this.printText(render(data))
      return data
    }
    if (this.jsonEnabled()) this.logJson(data)
    else this.printText(render(data))
    throw new ResultExit(exitCode as ResultExit['exitCode'])
  }

  private printText(text: string): void {
    if (text) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
  }

  protected override async catch(error: Error & {oclif?: {exit?: number}}): Promise<never> {
    if (error instanceof ResultExit) return this.exit(error.exitCode)
    if (error instanceof Errors.ExitError) throw error
    if (error instanceof DroverError) {
      if (this.jsonEnabled()) {
        process.stderr.write(`${JSON.stringify({error: {code: error.code, message: error.message, details: error.details, hint: error.hint}})}\n`)
      } else {
        const color = colorEnabled(process.stderr)
        process.stderr.write(`${red('Error:', color)} ${error.message}\n${error.hint ? `  ${error.hint}\n` : ''}`)
      }
      return this.exit(error.exitCode)
    }
    // oclif's parse errors (unknown flag, a value outside a flag's options) are usage errors;
    // package.json maps most of them to 2, this catches the ones oclif gives no setting for.
    if (error instanceof Errors.CLIError) {
      if ('parse' in error && error.oclif) error.oclif.exit = EXIT.usage
      throw error
    }
    // Anything else is a bug in drover, not a user mistake: say so, stack only when asked.
    process.stderr.write(`${red('Error:', colorEnabled(process.stderr))} internal error: ${error.message}\n`)
    if (process.env.DROVER_DEBUG) process.stderr.write(`${error.stack}\n`)
    else process.stderr.write('  this is a bug in drover; run again with DROVER_DEBUG=1 for details\n')
    return this.exit(EXIT.invalid)
  }
}
