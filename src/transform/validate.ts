/**
 * `validate`: the project's own STAC Item validation (src/stac/validate.ts, no network). An invalid
 * Item is a failure naming the first rule it broke (and how many more), and goes no further.
 */
import type { StacItem } from '../stac/item.js';
import { validateItem } from '../stac/validate.js';
import type { Transform, TransformResult } from './types.js';

export function validateTransform(): Transform {
  return {
    name: 'validate',
    apply(item: StacItem): TransformResult {
      const { valid, errors } = validateItem(item);
      if (valid) return { item };
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
      return { failure: `validate: ${errors[0]}${more}` };
    },
  };
}
