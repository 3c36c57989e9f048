import * as tf from '@tensorflow/tfjs';

/**
 * Dropout whose mask comes from (seed, call number), so a run repeats exactly for the same seed.
 * tfjs' own Dropout draws from Math.random when unseeded and repeats one mask when seeded.
 * It serialises as a plain 'Dropout', so exported models load in stock tfjs.
 */
export class SeededDropout extends tf.layers.Layer {
  static className = 'Dropout';
  private calls = 0;
  readonly rate: number;
  readonly seed: number;

  constructor(args: { rate: number; seed: number; name?: string }) {
    super({ name: args.name });
    this.rate = args.rate;
    this.seed = args.seed;
  }

  /** Masks drawn so far: saved in checkpoints so a resumed run draws the masks it would have drawn. */
  get callCount(): number {
    return this.calls;
  }

  set callCount(n: number) {
    this.calls = n;
  }

  call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    if (!kwargs.training || this.rate <= 0) return x;
    return tf.tidy(() => {
      const seed = (this.seed * 1000003 + this.calls++) % 2147483647;
      const keep = tf.randomUniform(x.shape, 0, 1, 'float32', seed).greaterEqual(this.rate);
      // Inverted dropout: y = x * mask / (1 - rate), so inference needs no rescaling.
      return tf.mul(x, keep.cast('float32')).div(1 - this.rate);
    });
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
