/**
 * kubectl lets some value flags stand alone: a bare `--dry-run` means `--dry-run=client`. oclif's string
 * flags always take a value, so the command line is rewritten before it is parsed: a bare flag (not
 * `--flag=value`, and not followed by one of its values) gets its default value.
 */
export interface BareFlag {
  /** The value a bare flag means. */
  value: string;
  /** The values the flag takes, so `--dry-run server` keeps its space-separated value. */
  options: readonly string[];
}

export function expandBareFlags(argv: readonly string[], bare: Readonly<Record<string, BareFlag>>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    // Everything after "--" is positional.
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const flag = arg.startsWith('--') ? bare[arg.slice(2)] : undefined;
    const next = argv[i + 1];
    if (flag && !(next !== undefined && flag.options.includes(next))) out.push(`${arg}=${flag.value}`);
    else out.push(arg);
  }
  return out;
}
