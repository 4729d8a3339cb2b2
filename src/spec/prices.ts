/**
 * The GPU list-price table (templates/gpu-prices.yaml) that a spec's `cost.gpu` names: indicative,
 * dated prices per GPU-hour. Read once; a broken table is a bug of ours (plain Error, exit 1).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { templatesDir } from './presets.js';

export interface GpuPriceTable {
  /** When the prices were read ("2025-06"): shown beside every figure derived from them. */
  asOf: string;
  currency: string;
  source: string;
  perGpuHour: Record<string, number>;
}

const tableSchema = z.strictObject({
  asOf: z.union([z.string(), z.date()]).transform((v) => (typeof v === 'string' ? v : v.toISOString().slice(0, 7))),
  currency: z.string().regex(/^[A-Z]{3}$/),
  source: z.string().min(1),
  perGpuHour: z.record(z.string(), z.number().positive()),
});

let cached: GpuPriceTable | undefined;

export function loadGpuPrices(): GpuPriceTable {
  if (cached) return cached;
  const file = join(templatesDir(), 'gpu-prices.yaml');
  const result = tableSchema.safeParse(parse(readFileSync(file, 'utf8')));
  if (!result.success) {
    throw new Error(`GPU price table ${file} is invalid: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  cached = result.data;
  return cached;
}
