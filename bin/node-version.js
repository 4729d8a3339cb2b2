// Whether a Node.js version is in package.json's engines range, before any dependency loads (bin/run.js).
// Reads the two forms engines uses, joined by "||": "^22.19.0" (that major, at least that version) and
// ">=24" (that version or newer); anything else is a mistake in package.json, said so.

/** True when `version` ("22.23.3") is in one of `range`'s alternatives ("^22.19.0 || >=24"). */
export function supports(range, version) {
  const [major, minor, patch] = version.split('.').map(Number);
  const atLeast = (v) => {
    const [a = 0, b = 0, c = 0] = v.split('.').map(Number);
    return major !== a ? major > a : minor !== b ? minor > b : patch >= c;
  };
  return range.split('||').some((alternative) => {
    const r = alternative.trim();
    if (r.startsWith('>=')) return atLeast(r.slice(2));
    if (r.startsWith('^')) return atLeast(r.slice(1)) && major === Number(r.slice(1).split('.')[0]);
    throw new Error(`cannot read the engines range "${r}" in package.json: use ^X.Y.Z or >=X`);
  });
}
