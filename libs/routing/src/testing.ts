/** Test helper: the value `fn` throws, so specs can match typed errors field by field. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
}
