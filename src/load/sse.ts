/** A minimal Server-Sent Events splitter: bytes in, `data:` payloads out (one string per event). */
export class SseParser {
  private buffer = '';
  private readonly decoder = new TextDecoder();

  /** Feeds a chunk; returns the data of every event completed by it. */
  push(chunk: Uint8Array): string[] {
    this.buffer += this.decoder.decode(chunk, { stream: true });
    const out: string[] = [];
    for (;;) {
      const m = /\r?\n\r?\n/.exec(this.buffer);
      if (!m) break;
      const block = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
      }
      if (data.length > 0) out.push(data.join('\n'));
    }
    return out;
  }

  /** Text left that did not end with a blank line (a truncated stream). */
  get rest(): string {
    return this.buffer.trim();
  }
}
