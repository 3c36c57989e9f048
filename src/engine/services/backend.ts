import * as tf from '@tensorflow/tfjs';
import type { BackendMeasure, BackendTiming, MemoryInfo, ModelKind, Notice, SessionOptions } from '../config/api';
import type { BackendName, BackendState } from '../config/backends';
import type { CharLstmConfig } from '../config/charModel';
import type { CharTransformerConfig } from '../config/charTransformer';
import type { ModelConfig } from '../config/imageModel';
import { selectBackend, trySetBackend } from '../backend/backends';
import { Interrupted } from '../bench/textBench';
import { familyOfKind } from '../families';
import type { KeyValue } from '../runs/runStore';
import type { Workspace } from './workspace';

/** The backend's life cycle: start-up, switching, choosing the fastest for a model, a lost device, memory. */
export class BackendService {
  private testHooks = false;

  constructor(
    private readonly ws: Workspace,
    private readonly makeKeyValue?: (name: string) => KeyValue,
  ) {}

  async init(preferred: BackendName | undefined, onNotice: (n: Notice) => void, options: SessionOptions = {}): Promise<BackendState> {
    this.ws.notify = onNotice;
    this.testHooks = options.testHooks === true;
    await this.ws.keeper.openStore(options.keepRuns !== false, this.makeKeyValue);
    // in the worker: anything the Content-Security-Policy blocks is told, not silently broken
    (globalThis as { addEventListener?: (type: string, listener: (e: Event) => void) => void }).addEventListener?.('securitypolicyviolation', (e) => {
      const v = e as SecurityPolicyViolationEvent;
      this.ws.notify({
        level: 'error',
        message: `The security policy blocked ${v.blockedURI || 'inline code'} (${v.effectiveDirective}) in the engine; this is a bug, please report it.`,
      });
    });
    const state = await selectBackend(preferred);
    this.ws.watchDevice();
    return state;
  }

  async setBackend(name: BackendName): Promise<BackendState> {
    return this.ws.exclusive(
      'switching backend',
      async () => {
        const previous = tf.getBackend() as BackendName;
        const problem = await trySetBackend(name);
        if (problem) {
          await trySetBackend(previous);
          throw new Error(`The ${name} backend could not start: ${problem}. Staying on ${previous}.`);
        }
        this.ws.dropDeviceData();
        this.ws.watchDevice();
        return { active: name, failures: {} };
      },
      { whileTraining: 'Stop training before switching backend.', hold: false },
    );
  }

  /**
   * Times a few training steps of the model on each candidate backend (after a warm-up that compiles its kernels),
   * only while nothing else runs: any other job stops it (then `interrupted` is true and the timings are partial).
   * The active backend is the same afterwards; the page decides whether a later run moves (see clearlyFastest).
   */
  async measureBackends(
    kind: ModelKind,
    config: ModelConfig | CharLstmConfig | CharTransformerConfig,
    candidates: BackendName[],
  ): Promise<BackendMeasure> {
    const measured = await this.ws.giveWay(async (stopped) => {
      const start = tf.getBackend() as BackendName;
      const family = familyOfKind(kind);
      const timings: BackendTiming[] = [];
      let interrupted = false;
      try {
        for (const backend of candidates) {
          if (stopped()) throw new Interrupted();
          const problem = await trySetBackend(backend);
          if (problem) {
            timings.push({ backend, error: problem });
            continue;
          }
          try {
            timings.push({ backend, itemsPerSec: await family.backendSpeed(this.ws, config, stopped) });
          } catch (e) {
            if (e instanceof Interrupted) throw e;
            timings.push({ backend, error: (e as Error).message });
          }
        }
      } catch (e) {
        if (!(e instanceof Interrupted)) throw e;
        interrupted = true;
      } finally {
        await trySetBackend(start); // the workspace's data stayed on it: each timing uses a sample of its own
        this.ws.watchDevice();
      }
      return { timings, interrupted };
    });
    return measured ?? { timings: [], interrupted: true };
  }

  /** Test hook (?testHooks=1): throws outside any call, so the page sees the worker fail (it restarts it once). */
  async crash(): Promise<void> {
    if (!this.testHooks) throw new Error('Test hooks are off; open the page with ?testHooks=1.');
    setTimeout(() => {
      throw new Error('a crash asked for by a test');
    }, 0);
  }

  /** Test hook (?testHooks=1): destroys the WebGPU device, as a driver reset or a lost GPU would. */
  async loseDevice(): Promise<boolean> {
    if (!this.testHooks) throw new Error('Test hooks are off; open the page with ?testHooks=1.');
    const device = (tf.backend() as unknown as { device?: { destroy(): void } }).device;
    device?.destroy();
    return device !== undefined;
  }

  async memory(): Promise<MemoryInfo> {
    const m = tf.memory();
    return { numTensors: m.numTensors, numBytes: m.numBytes };
  }
}
