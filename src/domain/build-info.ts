/**
 * What `kubectl sei version` and `--version` report. scripts/bundle.mjs replaces __SEI_BUILD_INFO__ with the
 * package version, the git commit and its tree state, and the commit's date (the build date of
 * a reproducible build: the same commit gives byte-identical release executables and sha256).
 * Outside the bundle (unit tests on the tsc output) the values say they are unknown.
 */
export interface BuildInfo {
  version: string;
  gitCommit: string;
  gitTreeState: 'clean' | 'dirty' | 'unknown';
  buildDate: string;
}

declare const __SEI_BUILD_INFO__: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  return typeof __SEI_BUILD_INFO__ !== 'undefined' ? __SEI_BUILD_INFO__ : { version: '0.0.0-dev', gitCommit: 'unknown', gitTreeState: 'unknown', buildDate: 'unknown' };
}

/** `kubectl sei --version`: oclif's user agent line (Config.userAgent), `kubectl-sei/0.1.0 linux-x64 node-v20.20.2`. */
export function userAgent(): string {
  return `kubectl-sei/${buildInfo().version.replace(/^v/, '')} ${process.platform}-${process.arch} node-${process.version}`;
}
