/** Model descriptions as plain data: what the UI edits, the URL will carry and the worker builds. */
export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'elu' | 'selu' | 'linear';
export const ACTIVATIONS: Activation[] = ['relu', 'tanh', 'sigmoid', 'elu', 'selu', 'linear'];

export interface DenseSpec {
  units: number;
  activation: Activation;
}

export interface ConvBlockSpec {
  filters: number;
  kernelSize: number;
  padding: 'same' | 'valid';
  activation: Activation;
  pool: 'max' | 'avg' | 'none';
}

export interface MlpConfig {
  kind: 'mlp';
  hidden: DenseSpec[];
  dropout: number; // rate after each hidden layer, 0 = off
}

export interface CnnConfig {
  kind: 'cnn';
  blocks: ConvBlockSpec[];
  dense: DenseSpec[];
  dropout: number; // rate before each dense layer of the head
}

export type ModelConfig = MlpConfig | CnnConfig;

export const INPUT_SHAPE: [number, number, number] = [28, 28, 1];
export const NUM_CLASSES = 10;

/** MLP 784 -> 64 relu -> 10 softmax, dropout 0.2 after the hidden layer (no parameters; it regularises). */
export const MLP_PRESET: MlpConfig = { kind: 'mlp', hidden: [{ units: 64, activation: 'relu' }], dropout: 0.2 };

/** LeNet-5 style: conv5x5(6) -> maxpool -> conv5x5(16) -> maxpool -> 120 -> 84 -> 10, dropout 0.25 before each dense layer. */
export const CNN_PRESET: CnnConfig = {
  kind: 'cnn',
  blocks: [
    { filters: 6, kernelSize: 5, padding: 'same', activation: 'relu', pool: 'max' },
    { filters: 16, kernelSize: 5, padding: 'valid', activation: 'relu', pool: 'max' },
  ],
  dense: [
    { units: 120, activation: 'relu' },
    { units: 84, activation: 'relu' },
  ],
  dropout: 0.25,
};

export const MAX_UNITS = 4096;
export const MAX_FILTERS = 512;
export const MAX_LAYERS = 8;
