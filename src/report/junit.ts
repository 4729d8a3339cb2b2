/** JUnit XML with one test case per threshold, for CI systems that show test reports. */
import type { LoadResult } from '../load/types.js';
import { formatThresholdValue } from './summary-text.js';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function junitXml(r: LoadResult): string {
  const failures = r.thresholds.filter((t) => !t.passed).length;
  const seconds = (r.durationMs / 1000).toFixed(3);
  const cases = r.thresholds.map((t) => {
    const name = esc(t.expression);
    const observed = esc(formatThresholdValue(t, t.observed));
    if (t.passed) return `    <testcase classname="mdl.loadtest" name="${name}" time="0"><system-out>observed ${observed}</system-out></testcase>`;
    return (
      `    <testcase classname="mdl.loadtest" name="${name}" time="0">\n` +
      `      <failure message="${name} failed: observed ${observed}" type="threshold">observed ${observed}, limit ${esc(formatThresholdValue(t, t.limit))}</failure>\n` +
      '    </testcase>'
    );
  });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<testsuites name="mdl loadtest" tests="${r.thresholds.length}" failures="${failures}" time="${seconds}">\n` +
    `  <testsuite name="${esc(r.target.url)}" tests="${r.thresholds.length}" failures="${failures}" errors="0" time="${seconds}" timestamp="${esc(r.startedAt)}">\n` +
    `${cases.join('\n')}${cases.length ? '\n' : ''}` +
    '  </testsuite>\n</testsuites>\n'
  );
}
