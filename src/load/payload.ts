/**
 * Payload datasets: a JSONL file whose lines are request bodies, or {path, method, headers, body}
 * objects, used in order or shuffled with a seed. Loaded once before the run; the engine only cycles.
 */
import { readFile } from 'node:fs/promises';
import { MdlError, badInput } from '../errors.js';
import { seededRandom } from './schedule.js';

export interface PayloadItem {
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
}

const ITEM_KEYS = new Set(['path', 'method', 'headers', 'body']);

/** A line is an item when it is an object with only item keys and at least a path or a body. */
export function toPayloadItem(value: unknown): PayloadItem {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => ITEM_KEYS.has(k)) && ('body' in value || 'path' in value)) {
      return value as PayloadItem;
    }
  }
  return { body: value };
}

/** Parses JSONL text (a single JSON document is accepted too). Pure, for tests. */
export function parsePayloadText(text: string, where: string): PayloadItem[] {
  const trimmed = text.trim();
  if (trimmed === '') throw badInput(`the payload file is empty`, { where, hint: 'Put one JSON request body per line.' });
  // A single pretty-printed JSON document (e.g. a KServe infer request) is one item.
  if (!trimmed.includes('\n') || (trimmed.startsWith('{') && isJson(trimmed))) {
    try {
      return [toPayloadItem(JSON.parse(trimmed))];
    } catch {
      // fall through to line-by-line to report the line
    }
  }
  const items: PayloadItem[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      items.push(toPayloadItem(JSON.parse(line)));
    } catch (error) {
      throw badInput(`line ${i + 1} of the payload file is not JSON: ${(error as Error).message}`, {
        where: `${where}:${i + 1}`,
        hint: 'Each line must be one JSON document (JSONL).',
      });
    }
  });
  return items;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export async function loadPayloadFile(path: string): Promise<PayloadItem[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MdlError(`cannot read the payload file: ${(error as Error).message}`, {
      where: path,
      hint: 'Check the path given to --payload (or loadtest.payload in the spec).',
    });
  }
  return parsePayloadText(text, path);
}

/** Cycles through items in order, or in one seeded shuffled order. */
export class PayloadCursor {
  private readonly order: PayloadItem[];
  private i = 0;

  constructor(items: PayloadItem[], options: { shuffle?: boolean; seed?: number } = {}) {
    this.order = [...items];
    if (options.shuffle) {
      const random = seededRandom(options.seed ?? 1);
      for (let j = this.order.length - 1; j > 0; j--) {
        const k = Math.floor(random() * (j + 1));
        [this.order[j], this.order[k]] = [this.order[k]!, this.order[j]!];
      }
    }
  }

  get size(): number {
    return this.order.length;
  }

  next(): PayloadItem {
    const item = this.order[this.i]!;
    this.i = (this.i + 1) % this.order.length;
    return item;
  }
}
