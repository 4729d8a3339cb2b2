import { z } from 'zod';
import { SpecSchema } from './schema.js';

export const SCHEMA_ID = 'https://mdl.dev/schema/mdl.config.json';

/** The JSON Schema of the spec as written (input side of the zod schema), for editors and `mdl schema`. */
export function specJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(SpecSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: SCHEMA_ID };
}
