/**
 * React picks its development or production build from NODE_ENV when it is first imported. The
 * development build checks every render and costs the load generator, which shares this one thread with
 * the dashboard, several times more CPU per frame (test/bench/RESULTS.md). Called right before the lazy
 * import of Ink and React; a NODE_ENV the user set is left alone.
 */
export function preferReactProductionBuild(env: NodeJS.ProcessEnv = process.env): void {
  if (env.NODE_ENV === undefined || env.NODE_ENV === '') env.NODE_ENV = 'production';
}
