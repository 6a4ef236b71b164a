// For building an API object in place: optional fields are assigned only when present, since
// spreading `{}` for absent ones allocates a scratch object per field per object.
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
