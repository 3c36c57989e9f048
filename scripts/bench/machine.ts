// npm run bench's record of the machine (CPU, clock, SIMD, peak estimates, commit) and its statistics helpers.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type } from 'node:os';

/** Median of the rounds: the middle value, or the mean of the two middle values of an even count. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** float32 lanes of the widest SIMD unit a CPU's flags name: AVX-512 16, AVX or AVX2 8, SSE 4, none 1. */
export function simdLanes(flags: string[]): number {
  if (flags.includes('avx512f')) return 16;
  if (flags.includes('avx2') || flags.includes('avx')) return 8;
  return flags.includes('sse') || flags.includes('sse2') ? 4 : 1;
}

/**
 * Peak float32 rate in GFLOP/s = cores x SIMD lanes x clock (GHz) x 4: two vector pipes a core, each a multiply-add
 * (2 FLOPs) per lane per cycle (two FMA pipes, as on current x86 server cores; without FMA, a multiply pipe and an add
 * pipe give half of it). A VM reports its base clock; a boost clock raises the real peak by the same factor.
 */
export function peakGflops(cores: number, lanes: number, mhz: number): number {
  return (cores * lanes * mhz * 4) / 1000;
}

/** The CPU as /proc/cpuinfo and Node see it, with the peak estimates the bench's GFLOP/s figures are set against. */
export function machine() {
  const info = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(info)?.[1]?.trim();
  const flags = (field('flags') ?? '').split(/\s+/).filter(Boolean);
  const cores = cpus().length;
  const mhz = Number(field('cpu MHz') ?? cpus()[0]?.speed ?? 0);
  const lanes = simdLanes(flags);
  return {
    cpu: field('model name') ?? cpus()[0]?.model ?? 'unknown',
    cores,
    mhz,
    simd: { lanes, flags: flags.filter((f) => /^(sse4_2|avx|avx2|fma|avx512f)$/.test(f)) },
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: `${type()} ${release()}`,
    loadAverageAtStart: loadavg(),
    peak: {
      method: 'cores x float32 SIMD lanes x clock (as /proc/cpuinfo gives it) x 4 FLOPs (two FMA pipes a core, 2 FLOPs each per lane per cycle)',
      nativeGflops: peakGflops(cores, lanes, mhz),
      // WASM SIMD is 128 bits (4 float32 lanes) whatever the CPU; the WASM backend's threads are in each backend's record
      wasmSimd128Gflops: peakGflops(cores, 4, mhz),
      wasmSimd128OneThreadGflops: peakGflops(1, 4, mhz),
      // tfjs's cpu backend is JavaScript on one thread, without SIMD
      scalarOneThreadGflops: peakGflops(1, 1, mhz),
    },
  };
}

/** The commit the figures come from, and whether the working tree had changes. */
export function commit(): { sha: string; dirty: boolean } {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
  return { sha: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
}

/** docs/bench/<date>-<kind>.json, or -2, -3 ... when that day already has one. */
export function resultPath(dir: string, kind: string, date = new Date()): string {
  const day = date.toISOString().slice(0, 10);
  for (let n = 1; ; n++) {
    const path = `${dir}/${day}-${kind}${n > 1 ? `-${n}` : ''}.json`;
    if (!existsSync(path)) return path;
  }
}
