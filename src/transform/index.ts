/**
 * Transforms loaded by name, in the order given. Each is a plain module with no state on the
 * caller's thread: a worker loads the same one from the same names and options.
 */
import { TRANSFORM_NAMES, type Transform, type TransformName, type TransformOptions } from './types.js';
import { updateTransform } from './update.js';
import { validateTransform } from './validate.js';

export type { Transform, TransformName, TransformOptions, TransformResult } from './types.js';
export { TRANSFORM_NAMES } from './types.js';

const MAKERS: Record<TransformName, (options: TransformOptions) => Transform> = {
  update: updateTransform,
  validate: validateTransform,
};

/** The transforms named, in order; an unknown name is a RangeError listing the known ones. */
export async function loadTransforms(
  names: readonly string[],
  options: TransformOptions = {},
): Promise<Transform[]> {
  for (const name of names) {
    if (!(TRANSFORM_NAMES as readonly string[]).includes(name)) {
      throw new RangeError(`unknown transform '${name}'; known: ${TRANSFORM_NAMES.join(', ')}`);
    }
  }
  return names.map((name) => MAKERS[name as TransformName](options));
}
