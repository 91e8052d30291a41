// The kernel reads the machine state but never writes it: it sees a DeepReadonly<State>.
// Only the reducer (src/reducer/) holds a writable State.

export type DeepReadonly<T> = T extends (infer U)[]
  ? ReadonlyArray<DeepReadonly<U>>
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
