import { useInput, useStdin } from 'ink';

/**
 * q (or Ctrl+C, which Ink then delivers as a key) asks the live app to stop gracefully. Keys are read only
 * where raw mode exists and while the run is not done; returns whether they are, for the key hint.
 */
export function useStopKeys(done: boolean, onStop: () => void): boolean {
  const { isRawModeSupported } = useStdin();
  const keys = isRawModeSupported === true && !done;
  useInput(
    (input, key) => {
      if (input === 'q' || input === 'Q' || (key.ctrl && input === 'c')) onStop();
    },
    { isActive: keys },
  );
  return keys;
}
