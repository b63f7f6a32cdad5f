// The first vector stored in a class without `vectorIndexConfig.dimensions` fixes its length
// (through the control source, so every shard and every later write agrees). Objects of the same
// request with another length fail, each with its own message.
import type { ControlSource } from '../../control/types.js';
import type { ObjectInput } from './object.js';

/** Fix missing dimensions; returns, per input, an error message for a vector of the wrong length. */
export async function settleDimensions(control: ControlSource, inputs: Array<ObjectInput | undefined>): Promise<Array<string | undefined>> {
  const errors: Array<string | undefined> = new Array(inputs.length).fill(undefined);
  const snap = control.snapshot();
  const pending = new Map<string, number[]>();
  inputs.forEach((input, i) => {
    if (!input?.vector) return;
    if (snap.classes.get(input.class)?.definition.vectorIndexConfig.dimensions !== undefined) return;
    pending.set(input.class, [...(pending.get(input.class) ?? []), i]);
  });
  for (const [className, indexes] of pending) {
    const dims = await control.fixDimensions(className, inputs[indexes[0]]!.vector!.length);
    for (const i of indexes) {
      const length = inputs[i]!.vector!.length;
      if (length !== dims) errors[i] = `vector: has length ${length}, but class ${className} holds vectors of length ${dims}`;
    }
  }
  return errors;
}
