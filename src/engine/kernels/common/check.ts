import * as tf from '@tensorflow/tfjs';

/** max |got - ref| / max |ref|: how the kernel checks compare ours with tfjs's. */
export const relMaxError = (got: tf.Tensor, ref: tf.Tensor) => tf.div(tf.max(tf.abs(tf.sub(got, ref))), tf.max(tf.abs(ref)));
