import type { PlaygroundApi } from '../config/api';
import type { RunLocks } from '../runs/runLocks';
import type { KeyValue } from '../runs/runStore';
import { BackendService } from './backend';
import { CompressService } from './compress';
import { DiagnosticsService } from './diagnostics';
import { ImageService } from './images';
import { InspectService } from './inspect';
import { ModelFileService } from './modelFiles';
import { RunService } from './runs';
import { TextService } from './text';
import { Workspace } from './workspace';

type Api = PlaygroundApi;

/**
 * What the worker exposes: the services over one shared workspace, each API call one line delegating to its
 * service. Plain TypeScript, so the whole API is exercised under Node in the unit tests.
 */
export class Engine implements PlaygroundApi {
  private readonly ws = new Workspace();
  private readonly backend: BackendService;
  private readonly images = new ImageService(this.ws);
  private readonly text = new TextService(this.ws);
  private readonly compress = new CompressService(this.ws);
  private readonly files = new ModelFileService(this.ws);
  private readonly runs = new RunService(this.ws);
  private readonly inspect = new InspectService(this.ws);
  private readonly diagnostics = new DiagnosticsService(this.ws, this.text);

  /**
   * makeKeyValue: where runs are kept (IndexedDB by default; unit tests pass a fake or a failing one); locks:
   * which runs train in other tabs (navigator.locks by default; unit tests share one fake between engines).
   */
  constructor(makeKeyValue?: (name: string) => KeyValue, locks?: RunLocks) {
    this.backend = new BackendService(this.ws, makeKeyValue);
    if (locks) this.ws.keeper.locks = locks;
  }

  // The running trainer (an image or text run, a gradual pruning, a distillation)
  pause: Api['pause'] = async () => this.ws.trainer?.pause();
  resume: Api['resume'] = async () => this.ws.trainer?.resume();
  stop: Api['stop'] = async () => this.ws.trainer?.stop();

  // Backend
  init: Api['init'] = (...a) => this.backend.init(...a);
  setBackend: Api['setBackend'] = (...a) => this.backend.setBackend(...a);
  measureBackends: Api['measureBackends'] = (...a) => this.backend.measureBackends(...a);
  loseDevice: Api['loseDevice'] = (...a) => this.backend.loseDevice(...a);
  crash: Api['crash'] = (...a) => this.backend.crash(...a);
  memory: Api['memory'] = (...a) => this.backend.memory(...a);

  // Images
  loadMnist: Api['loadMnist'] = (...a) => this.images.loadMnist(...a);
  loadIdxFiles: Api['loadIdxFiles'] = (...a) => this.images.loadIdxFiles(...a);
  preview: Api['preview'] = (...a) => this.images.preview(...a);
  describeModel: Api['describeModel'] = (...a) => this.images.describeModel(...a);
  train: Api['train'] = (...a) => this.images.train(...a);
  evaluate: Api['evaluate'] = (...a) => this.images.evaluate(...a);
  predict: Api['predict'] = (...a) => this.images.predict(...a);

  // Inspect
  inspectImageWeights: Api['inspectImageWeights'] = (...a) => this.inspect.inspectImageWeights(...a);
  inspectText: Api['inspectText'] = (...a) => this.inspect.inspectText(...a);
  inspectDigit: Api['inspectDigit'] = (...a) => this.inspect.inspectDigit(...a);
  inspectHealth: Api['inspectHealth'] = (...a) => this.inspect.inspectHealth(...a);
  inspectCells: Api['inspectCells'] = (...a) => this.inspect.inspectCells(...a);

  // Text: char-LSTM
  loadText: Api['loadText'] = (...a) => this.text.loadText(...a);
  loadDefaultText: Api['loadDefaultText'] = (...a) => this.text.loadDefaultText(...a);
  setTextOptions: Api['setTextOptions'] = (...a) => this.text.setTextOptions(...a);
  describeCharModel: Api['describeCharModel'] = (...a) => this.text.describeCharModel(...a);
  trainText: Api['trainText'] = (...a) => this.text.trainText(...a);
  charAttention: Api['charAttention'] = (...a) => this.text.attention(...a);
  generate: Api['generate'] = (...a) => this.text.generate(...a);
  stopGenerating: Api['stopGenerating'] = (...a) => this.text.stopGenerating(...a);

  // Compression
  compressStart: Api['compressStart'] = (...a) => this.compress.compressStart(...a);
  compressState: Api['compressState'] = (...a) => this.compress.compressState(...a);
  quantizeVariant: Api['quantizeVariant'] = (...a) => this.compress.quantizeVariant(...a);
  pruneVariant: Api['pruneVariant'] = (...a) => this.compress.pruneVariant(...a);
  pruneSweep: Api['pruneSweep'] = (...a) => this.compress.pruneSweep(...a);
  distillVariant: Api['distillVariant'] = (...a) => this.compress.distillVariant(...a);
  variantHistogram: Api['variantHistogram'] = (...a) => this.compress.variantHistogram(...a);
  exportVariant: Api['exportVariant'] = (...a) => this.compress.exportVariant(...a);
  variantOutputs: Api['variantOutputs'] = (...a) => this.compress.variantOutputs(...a);

  // Model files
  exportModel: Api['exportModel'] = (...a) => this.files.exportModel(...a);
  importImageModel: Api['importImageModel'] = (...a) => this.files.importImageModel(...a);
  importCharModel: Api['importCharModel'] = (...a) => this.files.importCharModel(...a);

  // Runs
  storageStatus: Api['storageStatus'] = (...a) => this.runs.storageStatus(...a);
  listRuns: Api['listRuns'] = (...a) => this.runs.listRuns(...a);
  whenRunFree: Api['whenRunFree'] = (...a) => this.runs.whenRunFree(...a);
  getRun: Api['getRun'] = (...a) => this.runs.getRun(...a);
  openRun: Api['openRun'] = (...a) => this.runs.openRun(...a);
  renameRun: Api['renameRun'] = (...a) => this.runs.renameRun(...a);
  deleteRun: Api['deleteRun'] = (...a) => this.runs.deleteRun(...a);
  exportRun: Api['exportRun'] = (...a) => this.runs.exportRun(...a);
  resumeRun: Api['resumeRun'] = (...a) => this.runs.resumeRun(...a);
  importRun: Api['importRun'] = (...a) => this.runs.importRun(...a);

  // npm run bench and self-checks
  benchTextSpeed: Api['benchTextSpeed'] = (...a) => this.diagnostics.benchTextSpeed(...a);
  checkFusedTransformer: Api['checkFusedTransformer'] = () => this.diagnostics.checkFusedTransformer();
  benchTransformerSpeed: Api['benchTransformerSpeed'] = (...a) => this.diagnostics.benchTransformerSpeed(...a);
  benchImageSpeed: Api['benchImageSpeed'] = (...a) => this.diagnostics.benchImageSpeed(...a);
  benchMatmul: Api['benchMatmul'] = () => this.diagnostics.benchMatmul();
  benchEnvironment: Api['benchEnvironment'] = () => this.diagnostics.benchEnvironment();
  checkGpuMatMul: Api['checkGpuMatMul'] = (...a) => this.diagnostics.checkGpuMatMul(...a);
  checkFusedLstm: Api['checkFusedLstm'] = (...a) => this.diagnostics.checkFusedLstm(...a);
  checkFusedAdam: Api['checkFusedAdam'] = (...a) => this.diagnostics.checkFusedAdam(...a);
  checkPatchConv: Api['checkPatchConv'] = (...a) => this.diagnostics.checkPatchConv(...a);
  benchTimeToLoss: Api['benchTimeToLoss'] = (...a) => this.diagnostics.benchTimeToLoss(...a);
  benchTimeToAccuracy: Api['benchTimeToAccuracy'] = (...a) => this.diagnostics.benchTimeToAccuracy(...a);
}
