import * as tf from '@tensorflow/tfjs';
import type { BackendTiming, MemoryInfo, ModelKind, Notice, SessionOptions } from '../config/api';
import type { BackendName, BackendState } from '../config/backends';
import type { CharLstmConfig } from '../config/charModel';
import type { ModelConfig } from '../config/imageModel';
import { selectBackend, trySetBackend } from '../backend/backends';
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
   * Times a few training steps of the model on each candidate backend (after a warm-up step that compiles its
   * kernels) and leaves the fastest active. The page caches the answer per model kind, so this runs once.
   */
  async measureBackends(kind: ModelKind, config: ModelConfig | CharLstmConfig, candidates: BackendName[]): Promise<BackendTiming[]> {
    return this.ws.exclusive('measuring the backends', async () => {
      const start = tf.getBackend() as BackendName;
      const family = familyOfKind(kind);
      const out: BackendTiming[] = [];
      for (const backend of candidates) {
        const problem = await trySetBackend(backend);
        if (problem) {
          out.push({ backend, error: problem });
          continue;
        }
        this.ws.dropDeviceData();
        try {
          out.push({ backend, itemsPerSec: await family.backendSpeed(this.ws, config) });
        } catch (e) {
          out.push({ backend, error: (e as Error).message });
        }
      }
      const timed = out.filter((t) => t.itemsPerSec !== undefined);
      const best = timed.length ? timed.reduce((a, b) => (b.itemsPerSec! > a.itemsPerSec! ? b : a)).backend : start;
      if ((await trySetBackend(best)) !== null) await trySetBackend(start);
      this.ws.dropDeviceData();
      this.ws.watchDevice();
      return out;
    });
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
