export interface JUnitCase {
  name: string;
  classname: string;
  seconds: number;
  failure?: { message: string; details: string };
  /** Could not finish (the run was interrupted during it): an error, not a failure of the handler. */
  error?: { message: string; details: string };
  /** Not run, and why (a smoke check not sent once the app had stopped answering). */
  skipped?: string;
  /** Shown as the case's <system-out> (a warning that does not fail it). */
  output?: string;
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
    // Nor U+FFFE, U+FFFF or half a surrogate pair: XML 1.0 has no such characters, and a strict reader refuses the file.
    .replace(/[\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd")
    // C1 controls and bidirectional overrides, as character references: no terminal showing the file acts on them.
    .replace(/[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (character) => `&#x${character.charCodeAt(0).toString(16)};`);
}

/** JUnit XML as CI systems (GitHub, GitLab, Jenkins, CircleCI) read it: one testcase per check. */
export function renderJUnit(suite: string, cases: readonly JUnitCase[], timestamp: string): string {
  const failures = cases.filter((c) => c.failure).length;
  const errors = cases.filter((c) => c.error).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const total = cases.reduce((sum, c) => sum + c.seconds, 0);
  const body = cases.map((c) => {
    const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="${c.seconds.toFixed(3)}"`;
    const output = c.output === undefined ? "" : `\n      <system-out>${escapeXml(c.output)}</system-out>`;
    if (c.skipped !== undefined) return `${open}>\n      <skipped message="${escapeXml(c.skipped)}"/>${output}\n    </testcase>`;
    if (c.error) return `${open}>\n      <error message="${escapeXml(c.error.message)}">${escapeXml(c.error.details)}</error>${output}\n    </testcase>`;
    if (!c.failure) return output ? `${open}>${output}\n    </testcase>` : `${open}/>`;
    return `${open}>\n      <failure message="${escapeXml(c.failure.message)}">${escapeXml(c.failure.details)}</failure>${output}\n    </testcase>`;
  });
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${escapeXml(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${total.toFixed(3)}">`,
    `  <testsuite name="${escapeXml(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${total.toFixed(3)}" timestamp="${timestamp}">`,
    ...body,
    `  </testsuite>`,
    `</testsuites>`,
    ``,
  ].join("\n");
}
