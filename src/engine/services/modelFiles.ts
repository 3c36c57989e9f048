import * as tf from '@tensorflow/tfjs';
import type { CharModelInfo, ImportedModelInfo, Which } from '../config/api';
import type { CharLstmMetadata } from '../config/charModel';
import type { CharTransformerMetadata } from '../config/charTransformer';
import '../families/charTransformer/layer'; // registers CharGpt, so a char-Transformer's model.json loads
import type { NamedBytes } from '../config/data';
import type { ModelFiles } from '../config/results';
import { loadSnapshot } from '../compress/snapshot';
import { familyOf } from '../families';
import { isCompactFile, readCompactFile } from '../io/compressedFiles';
import { disposingOnFailure, exportModel, importModel, ModelFileError } from '../io/modelFiles';
import { parseCharMetadata } from '../io/modelJson';
import { summarize } from '../models/summary';
import { vocabularyFrom } from '../text/corpus';
import { evaluateSet } from '../train/deviceData';
import { DataError } from '../data/idx';
import type { Workspace } from './workspace';

/** The current models as files (TensorFlow.js layers format) and models exported by this page loaded back. */
export class ModelFileService {
  constructor(private readonly ws: Workspace) {}

  /** The current model in the TensorFlow.js layers format (float32), with what it needs to be used again. */
  async exportModel(which: Which): Promise<ModelFiles> {
    const family = familyOf(which, this.ws);
    return this.ws.exclusive(
      'exporting',
      async () => exportModel(family.current(this.ws, 'export'), family.fileStem(this.ws), family.metadata(this.ws)),
      { whileTraining: 'Wait for training to finish (or stop it) before exporting.', hold: false },
    );
  }

  /**
   * A model exported by this page (model.json with its weights, or one .nnq file) becomes the page's model:
   * evaluate it, compress it again, train it further. On any problem the current model stays.
   */
  async importImageModel(files: NamedBytes[]): Promise<ImportedModelInfo> {
    return this.ws.exclusive('loading a model', async () => {
      const { model } = await this.loadModelFiles(files);
      let accuracy: number;
      try {
        accuracy = await disposingOnFailure(() => this.testAccuracy(model));
      } catch (e) {
        model.dispose();
        throw e instanceof ModelFileError || e instanceof DataError
          ? e
          : new ModelFileError(`This model could not be run on the test images: ${(e as Error).message}`);
      }
      this.ws.imageModel?.dispose();
      this.ws.imageModel = model;
      const name = files.find((f) => /\.(json|nnq)$/i.test(f.name))?.name ?? 'model';
      return { name, summary: summarize(model, model.layers.some((l) => l.getClassName() === 'Conv2D') ? 'cnn' : 'mlp'), accuracy };
    });
  }

  /** A loaded model's accuracy on the test images, once its shapes are an MNIST model's and one digit runs through it. */
  private async testAccuracy(model: tf.LayersModel): Promise<number> {
    const input = model.inputs[0].shape.slice(1);
    const output = model.outputs[0].shape.slice(1);
    if (input.join(',') !== '28,28,1' || output.join(',') !== '10') {
      throw new ModelFileError(
        `This model takes [${input.join(', ')}] and predicts [${output.join(', ')}]; an MNIST model takes [28, 28, 1] and predicts 10 classes. Choose a model exported from the Images tab.`,
      );
    }
    // inside tidy: a model whose layers disagree fails here, leaving no tensor behind
    tf.tidy(() => {
      model.predict(tf.zeros([1, 28, 28, 1]));
    });
    return (await evaluateSet(model, this.ws.imageData().test)).accuracy;
  }

  /** A char-LSTM or char-Transformer exported by this page (model.json plus its weights file, or one .nnq file). The current model stays on any error. */
  async importCharModel(files: NamedBytes[]): Promise<CharModelInfo> {
    return this.ws.exclusive(
      'loading a model',
      async () => {
        const { model, metadata } = await this.loadModelFiles(files);
        const vocabSize = (model.outputs[0].shape.at(-1) ?? 0) as number;
        let meta: CharLstmMetadata | CharTransformerMetadata;
        try {
          meta = parseCharMetadata(metadata, files.find((f) => /\.(json|nnq)$/i.test(f.name))?.name ?? 'model.json', (m) => new ModelFileError(m));
        } catch (e) {
          model.dispose();
          throw e;
        }
        if (meta.vocab.length !== vocabSize) {
          model.dispose();
          throw new ModelFileError(
            `The vocabulary has ${meta.vocab.length} characters but the model predicts ${vocabSize}; the files do not belong together.`,
          );
        }
        this.ws.charModel?.model.dispose();
        this.ws.charModel = { model, vocab: vocabularyFrom(meta.vocab), meta };
        return { source: meta.corpus ?? 'imported', vocabSize, config: meta.config, options: meta.options };
      },
      { whileTraining: 'Stop training before loading a model.', hold: false },
    );
  }

  /** model.json with its weight files, or one .nnq file: the model (built with plain tfjs) and our metadata. */
  private async loadModelFiles(files: NamedBytes[]): Promise<{ model: tf.LayersModel; metadata: Record<string, unknown> }> {
    const compact = files.find((f) => isCompactFile(f.bytes));
    if (compact) {
      const snap = readCompactFile(compact.bytes, compact.name);
      try {
        return { model: await disposingOnFailure(() => loadSnapshot(snap)), metadata: snap.metadata };
      } catch (e) {
        throw new ModelFileError(`The model could not be built from ${compact.name}: ${(e as Error).message}`);
      }
    }
    const json = files.find((f) => f.name.toLowerCase().endsWith('.json'));
    if (!json) throw new ModelFileError('Choose the model.json and its .weights.bin file together, or one .nnq file, exported by this page.');
    return importModel(
      new TextDecoder().decode(json.bytes),
      files.filter((f) => f !== json),
    );
  }
}
