/** Browser messages and our notices that mean the Content-Security-Policy blocked something. */
export const policyProblems = (lines: string[]) =>
  lines.filter((l) => /Content Security Policy|Content-Security-Policy|security policy blocked|Refused to/i.test(l));
