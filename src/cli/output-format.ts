/** kubectl's -o values that mdl's render and status print (a module of its own: commands import it eagerly). */
export const OUTPUT_FORMATS = ['yaml', 'json', 'name'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function isOutputFormat(value: string): value is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(value);
}
