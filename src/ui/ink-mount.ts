/**
 * Mounting a live Ink app on a stream, the same way for every dashboard: React's production build, colours
 * matched to the stream, no Ctrl+C exit (the app turns it into a graceful stop), and an unmount that leaves
 * the final frame on screen. Ink and React are imported here, lazily.
 */
import type { ReactElement } from 'react';
import { preferReactProductionBuild } from './react-mode.js';

export interface InkMountOptions {
  stream: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  /** Frames per second at most; the data changes about once a second. */
  maxFps?: number | undefined;
}

/** What every live view takes from its command: how the user stops it, and the terminal it draws on. */
export interface LiveViewTerminal {
  /** q (or Ctrl+C while the view reads keys): the user asks to stop. */
  onStop: () => void;
  /** Where the view is drawn: stderr by default, so stdout stays for results. */
  stream?: NodeJS.WriteStream;
  stdin?: NodeJS.ReadStream;
  env?: NodeJS.ProcessEnv;
  /** Frames per second at most; the data changes about once a second, so a few suffice. */
  maxFps?: number;
}

export interface InkMount {
  /** Erases the frame, so a line Ink does not know of can be written on the same terminal; the next render redraws. */
  clear(): void;
  /** Draws the last frame, unmounts and restores the terminal; only the first call does anything. */
  close(): Promise<void>;
}

export async function mountInk(app: (color: boolean) => Promise<ReactElement>, opts: InkMountOptions): Promise<InkMount> {
  preferReactProductionBuild();
  const [{ render }, { colorEnabled, matchColorsToStream }] = await Promise.all([import('ink'), import('./theme.js')]);
  const color = colorEnabled(opts.env);
  if (color) await matchColorsToStream(opts.stream);
  const instance = render(await app(color), {
    stdout: opts.stream,
    stderr: opts.stream,
    stdin: opts.stdin ?? process.stdin,
    maxFps: opts.maxFps ?? 4,
    // The view is chosen once, in src/cli/output-mode.ts (--ui may ask for it even under CI); Ink's own CI
    // detection would otherwise hold every frame back until the end.
    interactive: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  let closed = false;
  return {
    clear: () => instance.clear(),
    async close() {
      if (closed) return;
      closed = true;
      await instance.waitUntilRenderFlush();
      instance.unmount();
      await instance.waitUntilExit().catch(() => undefined);
    },
  };
}
