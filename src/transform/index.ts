/** Transforms loaded by name (`update`, `validate`), in the order given. */
import type { Transform, TransformOptions } from './types.js';

export type { Transform, TransformName, TransformOptions, TransformResult } from './types.js';
export { TRANSFORM_NAMES } from './types.js';

/** The transforms named, in order; an unknown name is a RangeError listing the known ones. */
export async function loadTransforms(
  _names: readonly string[],
  _options?: TransformOptions,
): Promise<Transform[]> {
  throw new Error('loadTransforms: not built yet');
}
